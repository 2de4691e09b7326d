"""The kubelet's side of ccgd's CSI node plug-in, from a client that is not ours: Python's grpcio
with stubs generated now from ccgd's csi.proto and pluginregistration.proto (whose names and field
numbers are the CSI specification's and the kubelet's). Each call does what the kubelet does:

  kubelet.py register REG_SOCKET                  GetInfo, then NotifyRegistrationStatus(registered)
  kubelet.py identity CSI_SOCKET                  GetPluginInfo, GetPluginCapabilities, Probe,
                                                  NodeGetInfo, NodeGetCapabilities
  kubelet.py publish CSI_SOCKET KUBELET_DIR POD   NodePublishVolume of the pod's inline volume:
                                                  POD is a JSON object (uid, name, namespace,
                                                  serviceAccount, volume, attributes, fsGroup,
                                                  readOnly, podInfo, ephemeral); the target's parent
                                                  is made first, as the kubelet's csi_mounter does
  kubelet.py publish-many CSI_SOCKET KUBELET_DIR PODS   the same for a JSON list, all at once
  kubelet.py unpublish CSI_SOCKET KUBELET_DIR POD NodeUnpublishVolume of that volume
  kubelet.py call CSI_SOCKET SERVICE METHOD      an empty request to any method

Prints one JSON object (or list) per call: the status code's name, its details and the answer.
"""
import concurrent.futures
import hashlib
import importlib.resources
import json
import os
import shutil
import sys
import tempfile
import time
import atexit

import grpc
from grpc_tools import protoc

PROTO_DIR = os.environ["CSI_PROTO_DIR"]

generated = tempfile.mkdtemp(prefix="ccgd-kubelet-")
atexit.register(shutil.rmtree, generated, ignore_errors=True)
well_known = str(importlib.resources.files("grpc_tools") / "_proto")
for proto in ("csi.proto", "pluginregistration.proto"):
    arguments = ["protoc", f"-I{PROTO_DIR}", f"-I{well_known}", f"--python_out={generated}", f"--grpc_python_out={generated}",
                 os.path.join(PROTO_DIR, proto)]
    if protoc.main(arguments) != 0:
        sys.exit(f"protoc could not compile {proto} of {PROTO_DIR}")
sys.path.insert(0, generated)
import csi_pb2  # noqa: E402
import csi_pb2_grpc  # noqa: E402
import pluginregistration_pb2  # noqa: E402
import pluginregistration_pb2_grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402


def channel(socket):
    return grpc.insecure_channel("unix:" + socket)


def outcome(call, request, timeout=120):
    started = time.monotonic()
    try:
        answer = call(request, timeout=timeout)
    except grpc.RpcError as error:
        return {"code": error.code().name, "details": error.details() or "", "milliseconds": (time.monotonic() - started) * 1000}
    return {"code": "OK", "details": "", "answer": json_format.MessageToDict(answer, preserving_proto_field_name=True),
            "milliseconds": (time.monotonic() - started) * 1000}


def register(socket):
    stub = pluginregistration_pb2_grpc.RegistrationStub(channel(socket))
    info = outcome(stub.GetInfo, pluginregistration_pb2.InfoRequest())
    status = outcome(stub.NotifyRegistrationStatus, pluginregistration_pb2.RegistrationStatus(plugin_registered=True))
    return {"GetInfo": info, "NotifyRegistrationStatus": status}


def identity(socket):
    ids = csi_pb2_grpc.IdentityStub(channel(socket))
    node = csi_pb2_grpc.NodeStub(channel(socket))
    return {
        "GetPluginInfo": outcome(ids.GetPluginInfo, csi_pb2.GetPluginInfoRequest()),
        "GetPluginCapabilities": outcome(ids.GetPluginCapabilities, csi_pb2.GetPluginCapabilitiesRequest()),
        "Probe": outcome(ids.Probe, csi_pb2.ProbeRequest()),
        "NodeGetInfo": outcome(node.NodeGetInfo, csi_pb2.NodeGetInfoRequest()),
        "NodeGetCapabilities": outcome(node.NodeGetCapabilities, csi_pb2.NodeGetCapabilitiesRequest()),
    }


def volume_id(pod):
    # The kubelet's handle of an inline volume: "csi-" + sha256(pod uid + volume name), hex.
    return "csi-" + hashlib.sha256((pod["uid"] + pod.get("volume", "gmsa")).encode()).hexdigest()


def target_path(kubelet, pod):
    return f"{kubelet}/pods/{pod['uid']}/volumes/kubernetes.io~csi/{pod.get('volume', 'gmsa')}/mount"


def publish_request(kubelet, pod):
    """What the kubelet's csi_mounter sends for an ephemeral inline volume: the pod's
    volumeAttributes, then (podInfoOnMount) the pod's four keys and the ephemeral flag over them."""
    request = csi_pb2.NodePublishVolumeRequest()
    request.volume_id = volume_id(pod)
    request.target_path = target_path(kubelet, pod)
    request.readonly = pod.get("readOnly", True)
    mount = request.volume_capability.mount
    mount.SetInParent()
    if pod.get("fsGroup") is not None:
        mount.volume_mount_group = str(pod["fsGroup"])
    request.volume_capability.access_mode.mode = csi_pb2.VolumeCapability.AccessMode.SINGLE_NODE_WRITER
    request.volume_context.update(pod.get("attributes", {}))
    if pod.get("podInfo", True):
        request.volume_context.update({
            "csi.storage.k8s.io/pod.name": pod["name"],
            "csi.storage.k8s.io/pod.namespace": pod["namespace"],
            "csi.storage.k8s.io/pod.uid": pod["uid"],
            "csi.storage.k8s.io/serviceAccount.name": pod["serviceAccount"],
        })
    request.volume_context["csi.storage.k8s.io/ephemeral"] = "true" if pod.get("ephemeral", True) else "false"
    return request


def publish(socket, kubelet, pod):
    # The kubelet makes the target's parent (0750) and leaves the target itself to the driver.
    os.makedirs(os.path.dirname(target_path(kubelet, pod)), mode=0o750, exist_ok=True)
    node = csi_pb2_grpc.NodeStub(channel(socket))
    result = outcome(node.NodePublishVolume, publish_request(kubelet, pod))
    result.update(volume_id=volume_id(pod), target_path=target_path(kubelet, pod))
    return result


def unpublish(socket, kubelet, pod):
    node = csi_pb2_grpc.NodeStub(channel(socket))
    request = csi_pb2.NodeUnpublishVolumeRequest(volume_id=pod.get("volumeID") or volume_id(pod), target_path=target_path(kubelet, pod))
    return outcome(node.NodeUnpublishVolume, request)


def call(socket, service, method):
    # An empty message is every request type's default; the answer's bytes are not parsed.
    invoke = channel(socket).unary_unary(f"/{service}/{method}", request_serializer=lambda _: b"", response_deserializer=lambda data: data)
    try:
        answer = invoke(None, timeout=30)
    except grpc.RpcError as error:
        return {"code": error.code().name, "details": error.details() or ""}
    return {"code": "OK", "details": "", "bytes": len(answer)}


def main():
    command = sys.argv[1]
    if command == "register":
        result = register(sys.argv[2])
    elif command == "identity":
        result = identity(sys.argv[2])
    elif command == "publish":
        result = publish(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
    elif command == "publish-many":
        pods = json.loads(sys.argv[4])
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(pods)) as pool:
            result = list(pool.map(lambda pod: publish(sys.argv[2], sys.argv[3], pod), pods))
    elif command == "unpublish":
        result = unpublish(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]))
    elif command == "call":
        result = call(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit("unknown command " + command)
    print(json.dumps(result, indent=1, sort_keys=True))


main()
