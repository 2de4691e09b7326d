"""The Amazon ECS agent's side of credentials-fetcher's protocol, from a client that is not ours:
Python's grpcio with code generated from ccgd's .proto now, driving every RPC against a running
ccgd and the test domain. Prints "ok NAME" per check; exits non-zero at the first failure."""
import concurrent.futures
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading

import grpc
from grpc_tools import protoc

env = os.environ
PROTO = env["ECS_PROTO"]
SOCKET = env["ECS_SOCKET"]
API_SOCKET = env["ECS_API_SOCKET"]
KRB_DIR = env["ECS_KRB_DIR"]
KRB5_CONFIG = env["ECS_KRB5_CONFIG"]
SMB_CONF = env["ECS_SMB_CONF"]
READERS = env.get("ECS_READERS_GROUP", "WebApp01Accounts")
user = json.load(open(env["ECS_USER_FILE"]))
outsider = json.load(open(env["ECS_OUTSIDER_FILE"])) if "ECS_OUTSIDER_FILE" in env else None
STATE = env.get("ECS_STATE_FILE", "")
credspecs = {name: json.load(open(os.path.join(env["ECS_CREDSPECS"], name + ".json"))) for name in ("WebApp01", "WebApp02")}

generated = tempfile.mkdtemp(prefix="ecs-grpc-")
if protoc.main(["protoc", f"-I{os.path.dirname(PROTO)}", f"--python_out={generated}", f"--grpc_python_out={generated}", PROTO]) != 0:
    sys.exit("protoc could not compile " + PROTO)
sys.path.insert(0, generated)
module = os.path.splitext(os.path.basename(PROTO))[0]
pb = __import__(module + "_pb2")
pb_grpc = __import__(module + "_pb2_grpc")

stub = pb_grpc.CredentialsFetcherServiceStub(grpc.insecure_channel("unix:" + SOCKET))


def check(name, condition, detail=""):
    if not condition:
        sys.exit(f"FAILED {name}: {detail}")
    print("ok", name, flush=True)


def status_of(call, request):
    try:
        call(request, timeout=60)
    except grpc.RpcError as error:
        return error.code(), error.details()
    return grpc.StatusCode.OK, ""


class UnixHTTP(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(API_SOCKET)


def metric(name):
    """The daemon's /metrics series `name`, summed over their labels (0 when absent)."""
    connection = UnixHTTP("ccgd")
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if re.match(re.escape(name) + r"[{ ]", line))


def fetches():
    """ccgd_account_fetches_total summed over results."""
    return metric("ccgd_account_fetches_total")


def portable_users():
    """How many portable users' passwords ccgd holds for the ECS agent (never the passwords)."""
    return metric("ccgd_ecs_portable_users")


def add(specs, username=user["username"], password=user["password"], domain=user["domainName"]):
    return pb.CreateNonDomainJoinedKerberosLeaseRequest(
        credspec_contents=[json.dumps(spec) for spec in specs], username=username, password=password, domain=domain)


def kvno(ccache, spn):
    run = subprocess.run(["kvno", spn], env={**env, "KRB5CCNAME": "FILE:" + ccache, "KRB5_CONFIG": KRB5_CONFIG},
                         capture_output=True, text=True)
    return run.returncode == 0, run.stdout + run.stderr


def samba(*arguments):
    subprocess.run(["samba-tool", *arguments, "-s", SMB_CONF], check=True, capture_output=True)


def before_restart():
    """A lease whose files must outlive a restart of ccgd; its id and directory go to STATE."""
    answer = stub.AddNonDomainJoinedKerberosLease(add([credspecs["WebApp01"]]), timeout=120)
    directory = answer.created_kerberos_file_paths[0]
    check("a lease before the restart", kvno(os.path.join(directory, "krb5cc"), "host/webapp01.contoso.test")[0])
    json.dump({"lease_id": answer.lease_id, "directory": directory}, open(STATE, "w"))


def after_restart():
    """ccgd came back without the password: the files stay valid until the agent renews."""
    lease = json.load(open(STATE))
    directory = lease["directory"]
    check("the lease's ticket cache still works after the restart", kvno(os.path.join(directory, "krb5cc"), "host/webapp01.contoso.test")[0])
    renewed = stub.RenewNonDomainJoinedKerberosLease(
        pb.RenewNonDomainJoinedKerberosLeaseRequest(username=user["username"], password=user["password"], domain=user["domainName"]),
        timeout=120)
    check("the agent's renewal after the restart lists the restored lease", list(renewed.renewed_kerberos_file_paths) == [directory],
          renewed)
    check("the renewed ticket cache works", kvno(os.path.join(directory, "krb5cc"), "host/webapp01.contoso.test")[0])
    deleted = stub.DeleteKerberosLease(pb.DeleteKerberosLeaseRequest(lease_id=lease["lease_id"]), timeout=60)
    check("the restored lease is deleted by its id", list(deleted.deleted_kerberos_file_paths) == [directory], deleted)
    check("its directories are gone", not os.path.exists(os.path.dirname(directory)))


def renew(username, password, domain=user["domainName"]):
    return stub.RenewNonDomainJoinedKerberosLease(
        pb.RenewNonDomainJoinedKerberosLeaseRequest(username=username, password=password, domain=domain), timeout=120)


def works(directory, names=("krb5cc",)):
    """Every ticket cache `names` of the gMSA directory gets a service ticket of its account."""
    for name in names:
        ccache = os.path.join(directory, name)
        listing = subprocess.run(["klist", "-c", "FILE:" + ccache], capture_output=True, text=True).stdout
        principal = re.search(r"Default principal: (\S+)\$@", listing)
        if principal is None or not kvno(ccache, f"host/{principal.group(1).lower()}.contoso.test")[0]:
            return False
    return True


# Two throwaway portable users in the readers group, made by the test (ECS_BLUE, ECS_GREEN:
# name:password), and a rotation from blue to green while their leases exist.
BLUE = tuple(env.get("ECS_BLUE", ":").split(":", 1))
GREEN = tuple(env.get("ECS_GREEN", ":").split(":", 1))


def rotation():
    """Blue/green: leases of blue, a rotation blue:green while they work, blue gone from AD."""
    both = json.loads(json.dumps(credspecs["WebApp02"]))
    both["ActiveDirectoryConfig"]["GroupManagedServiceAccounts"] += [{"Name": "WebApp01", "Scope": "contoso.test"}]
    first = stub.AddNonDomainJoinedKerberosLease(add([credspecs["WebApp01"]], username=BLUE[0], password=BLUE[1]), timeout=120)
    second = stub.AddNonDomainJoinedKerberosLease(add([both], username=BLUE[0], password=BLUE[1]), timeout=120)
    a, b = first.created_kerberos_file_paths[0], second.created_kerberos_file_paths[0]
    extra = [name for name in os.listdir(b) if name.startswith("krb5cc-")]
    check("blue's leases work", works(a) and works(b, ["krb5cc"] + extra), extra)
    check("one portable user's password is held", portable_users() == 1, portable_users())

    # During the rotation the agent's secret is blue:green with green's password: a new task's lease is green's.
    during = stub.AddNonDomainJoinedKerberosLease(add([credspecs["WebApp01"]], username=f"{BLUE[0]}:{GREEN[0]}", password=GREEN[1]), timeout=120)
    c = during.created_kerberos_file_paths[0]
    check("AddNonDomainJoinedKerberosLease with blue:green makes a lease through green", works(c))
    check("blue's and green's passwords are held", portable_users() == 2, portable_users())

    code, details = status_of(stub.RenewNonDomainJoinedKerberosLease,
                              pb.RenewNonDomainJoinedKerberosLeaseRequest(username=f"{BLUE[0]}:{GREEN[0]}", password=GREEN[1] + "-typo",
                                                                          domain=user["domainName"]))
    check("a rotation with a password green does not have answers UNAUTHENTICATED naming green",
          code == grpc.StatusCode.UNAUTHENTICATED and GREEN[0] in details, f"{code} {details}")
    check("and moves nothing: blue's leases still work, both passwords held", works(a) and works(b) and portable_users() == 2)

    # Tasks keep using their tickets while the rotation rewrites their files (each replaced by a rename).
    done = threading.Event()
    meanwhile = []

    def use_tickets():
        while not done.is_set():
            meanwhile.append(works(a) and works(b))

    user_of_tickets = threading.Thread(target=use_tickets)
    user_of_tickets.start()
    before = fetches()
    try:
        renewed = renew(f"{BLUE[0]}:{GREEN[0]}", GREEN[1])
    finally:
        done.set()
        user_of_tickets.join()
    check("service tickets were obtained throughout the rotation", meanwhile and all(meanwhile), f"{meanwhile.count(False)} of {len(meanwhile)} failed")
    check("the rotation answers every directory now read through green", sorted(renewed.renewed_kerberos_file_paths) == sorted([a, b, c]),
          renewed)
    check("green read each gMSA once (green's WebApp01 renewed, WebApp02 new; blue's WebApp01 leases served from it)",
          fetches() - before == 2, f"{fetches() - before} fetches")
    check("every ticket cache works after the rotation", works(a) and works(b, ["krb5cc"] + extra) and works(c))
    check("blue's password is dropped: one password held", portable_users() == 1, portable_users())

    # Blue leaves the domain: nothing reads through it any more, and a plain green renews all.
    samba("user", "delete", BLUE[0])
    renewed = renew(GREEN[0], GREEN[1])
    check("after the rotation a plain green renews every directory", sorted(renewed.renewed_kerberos_file_paths) == sorted([a, b, c]),
          renewed)
    check("and they work with blue gone", works(a) and works(b, ["krb5cc"] + extra) and works(c))
    renewed = renew(f"{BLUE[0]}:{GREEN[0]}", GREEN[1])
    check("the agent's rotation sent again changes nothing", sorted(renewed.renewed_kerberos_file_paths) == sorted([a, b, c]), renewed)
    added = stub.AddNonDomainJoinedKerberosLease(add([credspecs["WebApp01"]], username=GREEN[0], password=GREEN[1]), timeout=120)
    check("a plain green adds a lease", works(added.created_kerberos_file_paths[0]))
    stub.DeleteKerberosLease(pb.DeleteKerberosLeaseRequest(lease_id=added.lease_id), timeout=60)
    json.dump({"leases": [first.lease_id, second.lease_id, during.lease_id], "directories": [a, b, c]}, open(STATE, "w"))


def rotation_after_restart():
    """The journal followed the rotation: after a restart green's renewal finds every lease."""
    state = json.load(open(STATE))
    check("blue's password is not held after the restart", portable_users() == 0, portable_users())
    renewed = renew(GREEN[0], GREEN[1])
    check("green's renewal after the restart lists every directory", sorted(renewed.renewed_kerberos_file_paths) == sorted(state["directories"]),
          renewed)
    check("and they work", all(works(directory) for directory in state["directories"]))
    for lease in state["leases"]:
        stub.DeleteKerberosLease(pb.DeleteKerberosLeaseRequest(lease_id=lease), timeout=60)
    check("the leases are deleted", os.listdir(KRB_DIR) == [], os.listdir(KRB_DIR))


def task_lease():
    """One lease of WebApp01 and WebApp02 for a task whose containers run as other users than the
    agent; the directories go to STATE for the containers the test runs."""
    answer = stub.AddNonDomainJoinedKerberosLease(add([credspecs["WebApp01"], credspecs["WebApp02"]]), timeout=120)
    check("a lease of two gMSAs", len(answer.created_kerberos_file_paths) == 2, answer)
    json.dump({"lease_id": answer.lease_id, "directories": list(answer.created_kerberos_file_paths)}, open(STATE, "w"))


def renew_user():
    """The agent's renewal for the test domain's portable user (after a restart: its password back)."""
    renewed = renew(user["username"], user["password"])
    check("the renewal lists the user's directories", len(renewed.renewed_kerberos_file_paths) > 0, renewed)
    check("and they work", all(works(directory) for directory in renewed.renewed_kerberos_file_paths))


def account_lease():
    """A lease of the CredSpec ECS_ACCOUNT (in ECS_CREDSPECS) for RotationAcrossControllersIntegrationTests; its directory to STATE."""
    spec = json.load(open(os.path.join(env["ECS_CREDSPECS"], env["ECS_ACCOUNT"] + ".json")))
    answer = stub.AddNonDomainJoinedKerberosLease(add([spec]), timeout=120)
    check("a lease of " + env["ECS_ACCOUNT"], len(answer.created_kerberos_file_paths) == 1, answer)
    json.dump({"lease_id": answer.lease_id, "directory": answer.created_kerberos_file_paths[0]}, open(STATE, "w"))


def read_again():
    """The agent's renewal, only its answer checked: ccgd reads the user's gMSAs' passwords again now (the test checks the files)."""
    renewed = renew(user["username"], user["password"])
    check("the renewal lists the user's directories", len(renewed.renewed_kerberos_file_paths) > 0, renewed)


def delete_task_lease():
    lease = json.load(open(STATE))
    deleted = stub.DeleteKerberosLease(pb.DeleteKerberosLeaseRequest(lease_id=lease["lease_id"]), timeout=60)
    check("the task's lease is deleted", sorted(deleted.deleted_kerberos_file_paths) == sorted(lease["directories"]), deleted)


def domain_joined():
    """ccgd on a host joined to the domain: AddKerberosLease reads with the host's computer account."""
    answer = stub.AddKerberosLease(pb.CreateKerberosLeaseRequest(credspec_contents=[json.dumps(credspecs["WebApp01"])]), timeout=120)
    check("the lease id has 10 characters", re.fullmatch(r"[a-z0-9]{10}", answer.lease_id) is not None, answer.lease_id)
    directory = os.path.join(KRB_DIR, answer.lease_id, "WebApp01")
    check("AddKerberosLease answers the gMSA's directory", list(answer.created_kerberos_file_paths) == [directory],
          list(answer.created_kerberos_file_paths))
    works, output = kvno(os.path.join(directory, "krb5cc"), "host/webapp01.contoso.test")
    check("kvno with the domain-joined lease's krb5cc", works, output)
    listing = subprocess.run(["klist", "-c", "FILE:" + os.path.join(directory, "krb5cc")], capture_output=True, text=True).stdout
    check("its ticket cache is the gMSA's", "WebApp01$@CONTOSO.TEST" in listing, listing)
    code, details = status_of(stub.RenewNonDomainJoinedKerberosLease,
                              pb.RenewNonDomainJoinedKerberosLeaseRequest(username=user["username"], password=user["password"],
                                                                          domain=user["domainName"]))
    check("a renewal of a portable user renews no domain-joined lease", code == grpc.StatusCode.OK, f"{code} {details}")
    bad = json.loads(json.dumps(credspecs["WebApp01"]))
    bad["DomainJoinConfig"]["DnsName"] = "not a domain!"
    code, details = status_of(stub.AddKerberosLease, pb.CreateKerberosLeaseRequest(credspec_contents=[json.dumps(bad)]))
    check("an invalid CredSpec answers INVALID_ARGUMENT naming its JSON path",
          code == grpc.StatusCode.INVALID_ARGUMENT and "credspec_contents[0].DomainJoinConfig.DnsName" in details, f"{code} {details}")
    deleted = stub.DeleteKerberosLease(pb.DeleteKerberosLeaseRequest(lease_id=answer.lease_id), timeout=60)
    check("DeleteKerberosLease lists the directory", list(deleted.deleted_kerberos_file_paths) == [directory], deleted)
    check("its directories are gone", not os.path.exists(os.path.join(KRB_DIR, answer.lease_id)))


def health():
    check("HealthCheck answers OK", stub.HealthCheck(pb.HealthCheckRequest(service="cf"), timeout=10).status == "OK")


def unreachable():
    code, details = status_of(stub.AddNonDomainJoinedKerberosLease, add([credspecs["WebApp01"]]))
    check("a DC that does not answer gives UNAVAILABLE", code == grpc.StatusCode.UNAVAILABLE, f"{code} {details}")


def refused():
    code, details = status_of(stub.HealthCheck, pb.HealthCheckRequest(service="cf"))
    check("a peer outside the allow-list gets PERMISSION_DENIED", code == grpc.StatusCode.PERMISSION_DENIED and "allowed-uids" in details,
          f"{code} {details}")
    code, details = status_of(stub.AddNonDomainJoinedKerberosLease, add([credspecs["WebApp01"]]))
    check("and so do its leases", code == grpc.StatusCode.PERMISSION_DENIED, f"{code} {details}")
    try:
        stub.HealthCheck(pb.HealthCheckRequest(service="cf"), timeout=10,
                         metadata=[("x-ccgd-peer-uid", "4242"), ("x-ccgd-peer-gid", "4242")])
        code = grpc.StatusCode.OK
    except grpc.RpcError as error:
        code = error.code()
    check("claiming an allowed uid in the request's headers changes nothing", code == grpc.StatusCode.PERMISSION_DENIED, f"{code}")


def main():
    # Health and the calls ccgd does not do.
    check("HealthCheck answers OK", stub.HealthCheck(pb.HealthCheckRequest(service="cf"), timeout=10).status == "OK")
    arn = pb.KerberosArnLeaseRequest(credspec_arns=["arn:aws:s3:::bucket/WebApp01.json"], region="us-east-1")
    for name, call in (("AddKerberosArnLease", stub.AddKerberosArnLease), ("RenewKerberosArnLease", stub.RenewKerberosArnLease)):
        code, details = status_of(call, arn)
        check(name + " answers UNIMPLEMENTED saying to pass CredSpec contents",
              code == grpc.StatusCode.UNIMPLEMENTED and "CredSpec contents" in details, f"{code} {details}")
    code, details = status_of(stub.AddKerberosLease, pb.CreateKerberosLeaseRequest(credspec_contents=[json.dumps(credspecs["WebApp01"])]))
    check("AddKerberosLease without mode = domain-joined answers FAILED_PRECONDITION saying what to configure",
          code == grpc.StatusCode.FAILED_PRECONDITION and "mode = domain-joined" in details and "[domain \"CONTOSO.TEST\"]" in details,
          f"{code} {details}")

    # ccgd's own framing and message reader, from grpcio sending bytes it was not generated for:
    # unknown fields and a known field of another wire type are read past, a group or a field
    # running past the end is INVALID_ARGUMENT, a compressed message UNIMPLEMENTED (ccgd offers no
    # grpc-encoding), an oversized one RESOURCE_EXHAUSTED, and many calls on one channel are each
    # answered.
    channel = grpc.insecure_channel("unix:" + SOCKET)
    raw_health = channel.unary_unary("/credentialsfetcher.CredentialsFetcherService/HealthCheck")
    def raw(message, **options):
        try:
            return grpc.StatusCode.OK, raw_health(message, timeout=30, **options)
        except grpc.RpcError as error:
            return error.code(), error.details()
    newer = bytes([0x48, 0xAC, 0x02, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5D, 1, 2, 3, 4, 0x62, 2, 0x68, 0x69, 0x08, 0x96, 0x01, 0x0A, 2, 0x63, 0x66])
    code, answer = raw(newer)
    check("unknown fields of every wire type and service as a varint are read past",
          code == grpc.StatusCode.OK and pb.HealthCheckResponse.FromString(answer).status == "OK", f"{code} {answer}")
    for name, message in (("a group", bytes([0x0B, 0x0C])), ("a field past the end", bytes([0x0A, 0x7F, 0x61])),
                          ("a truncated varint", bytes([0x08, 0x80])), ("a string not UTF-8", bytes([0x0A, 2, 0xC3, 0x28]))):
        code, details = raw(message)
        check(f"{name} answers INVALID_ARGUMENT naming the message", code == grpc.StatusCode.INVALID_ARGUMENT and "HealthCheckRequest" in details,
              f"{code} {details}")
    code, details = raw(pb.HealthCheckRequest(service="cf").SerializeToString() * 200, compression=grpc.Compression.Gzip)
    check("a gzip-compressed message answers UNIMPLEMENTED", code == grpc.StatusCode.UNIMPLEMENTED and "grpc-encoding" in details,
          f"{code} {details}")
    code, details = raw(pb.HealthCheckRequest(service="x" * (2 << 20)).SerializeToString())
    check("a 2 MiB message answers RESOURCE_EXHAUSTED", code == grpc.StatusCode.RESOURCE_EXHAUSTED, f"{code} {details}")
    calls = [stub.HealthCheck.future(pb.HealthCheckRequest(service=f"cf{index}"), timeout=60) for index in range(200)]
    check("200 concurrent calls on one channel are all answered", all(call.result().status == "OK" for call in calls))
    channel.close()

    # Bad input.
    bad = json.loads(json.dumps(credspecs["WebApp01"]))
    bad["DomainJoinConfig"]["DnsName"] = "not a domain!"
    code, details = status_of(stub.AddNonDomainJoinedKerberosLease, add([credspecs["WebApp01"], bad]))
    check("an invalid CredSpec answers INVALID_ARGUMENT naming its JSON path",
          code == grpc.StatusCode.INVALID_ARGUMENT and "credspec_contents[1].DomainJoinConfig.DnsName" in details, f"{code} {details}")
    code, details = status_of(stub.AddNonDomainJoinedKerberosLease, add([credspecs["WebApp01"]], password=""))
    check("an empty password answers INVALID_ARGUMENT", code == grpc.StatusCode.INVALID_ARGUMENT and "password" in details, f"{code} {details}")
    check("nothing was left in the krb files directory", os.listdir(KRB_DIR) == [], os.listdir(KRB_DIR))

    # A wrong password: the KDC's refusal (before any lease of this user is cached).
    code, details = status_of(stub.AddNonDomainJoinedKerberosLease, add([credspecs["WebApp02"]], password=user["password"] + "-wrong"))
    check("a wrong password answers UNAUTHENTICATED", code == grpc.StatusCode.UNAUTHENTICATED, f"{code} {details}")
    check("the wrong password leaves no directory", os.listdir(KRB_DIR) == [], os.listdir(KRB_DIR))

    # 32 concurrent requests for one gMSA: one fetch from the DC.
    before = fetches()
    futures = [stub.AddNonDomainJoinedKerberosLease.future(add([credspecs["WebApp01"]]), timeout=120) for _ in range(32)]
    answers = [future.result() for future in futures]
    check("32 concurrent AddNonDomainJoinedKerberosLease calls succeed with distinct leases",
          len({answer.lease_id for answer in answers}) == 32)
    check("32 concurrent calls for one gMSA cause one DC fetch", fetches() - before == 1, f"{fetches() - before} fetches")
    for answer in answers:
        stub.DeleteKerberosLease(pb.DeleteKerberosLeaseRequest(lease_id=answer.lease_id), timeout=60)
    check("their deletion empties the krb files directory", os.listdir(KRB_DIR) == [], os.listdir(KRB_DIR))

    # A mistyped password after a good one, while the gMSA is cached: the KDC refuses it, it answers
    # UNAUTHENTICATED, and the good password keeps serving the user's leases.
    kept = stub.AddNonDomainJoinedKerberosLease(add([credspecs["WebApp01"]]), timeout=120)
    code, details = status_of(stub.AddNonDomainJoinedKerberosLease, add([credspecs["WebApp01"]], password=user["password"] + "-typo"))
    check("a wrong password answers UNAUTHENTICATED although its gMSA is cached", code == grpc.StatusCode.UNAUTHENTICATED,
          f"{code} {details}")
    check("the refusal names the user and keeps the password held", user["username"] in details and "stays in use" in details, details)
    renewed = stub.RenewNonDomainJoinedKerberosLease(
        pb.RenewNonDomainJoinedKerberosLeaseRequest(username=user["username"], password=user["password"], domain=user["domainName"]), timeout=120)
    check("the user's leases are still renewed with the good password", kept.created_kerberos_file_paths[0] in renewed.renewed_kerberos_file_paths,
          renewed)
    check("and their ticket cache works", kvno(os.path.join(kept.created_kerberos_file_paths[0], "krb5cc"), "host/webapp01.contoso.test")[0])
    stub.DeleteKerberosLease(pb.DeleteKerberosLeaseRequest(lease_id=kept.lease_id), timeout=60)

    # Two CredSpecs, the second with an additional account, and WebApp01 named twice.
    both = json.loads(json.dumps(credspecs["WebApp02"]))
    both["ActiveDirectoryConfig"]["GroupManagedServiceAccounts"] += [{"Name": "WebApp01", "Scope": "contoso.test"}]
    answer = stub.AddNonDomainJoinedKerberosLease(add([credspecs["WebApp01"], both, credspecs["WebApp01"]]), timeout=120)
    check("the lease id has 10 characters", re.fullmatch(r"[a-z0-9]{10}", answer.lease_id) is not None, answer.lease_id)
    expected = [os.path.join(KRB_DIR, answer.lease_id, name) for name in ("WebApp01", "WebApp02")]
    check("one directory per gMSA, in request order", list(answer.created_kerberos_file_paths) == expected,
          list(answer.created_kerberos_file_paths))
    for directory, gmsa in zip(expected, ("webapp01", "webapp02")):
        works, output = kvno(os.path.join(directory, "krb5cc"), f"host/{gmsa}.contoso.test")
        check(f"kvno with {directory}/krb5cc", works, output)
    extra = [name for name in os.listdir(expected[1]) if name.startswith("krb5cc-")]
    works, output = kvno(os.path.join(expected[1], extra[0]) if extra else "/nonexistent", "host/webapp01.contoso.test")
    check("the additional account's ticket cache works", works, f"{extra} {output}")

    deleted = stub.DeleteKerberosLease(pb.DeleteKerberosLeaseRequest(lease_id=answer.lease_id), timeout=60)
    check("DeleteKerberosLease lists the directories", deleted.lease_id == answer.lease_id and list(deleted.deleted_kerberos_file_paths) == expected,
          deleted)
    check("the directories are gone", not os.path.exists(os.path.join(KRB_DIR, answer.lease_id)))
    code, details = status_of(stub.DeleteKerberosLease, pb.DeleteKerberosLeaseRequest(lease_id=answer.lease_id))
    check("deleting it again answers NOT_FOUND", code == grpc.StatusCode.NOT_FOUND, f"{code} {details}")

    # Renewal with a changed password, on a throwaway portable user in the readers group.
    name = "EcsRenew" + secrets.token_hex(3)
    old, new = "Old-" + secrets.token_urlsafe(12) + "9a!", "New-" + secrets.token_urlsafe(12) + "9a!"
    samba("user", "add", name, old)
    try:
        samba("group", "addmembers", READERS, name)
        answer = stub.AddNonDomainJoinedKerberosLease(add([credspecs["WebApp01"]], username=name, password=old), timeout=120)
        directory = answer.created_kerberos_file_paths[0]
        check("a lease for the throwaway user", kvno(os.path.join(directory, "krb5cc"), "host/webapp01.contoso.test")[0])
        samba("user", "setpassword", name, "--newpassword=" + new)
        code, details = status_of(stub.RenewNonDomainJoinedKerberosLease,
                                  pb.RenewNonDomainJoinedKerberosLeaseRequest(username=name, password=old, domain=user["domainName"]))
        check("renewing with the old password answers UNAUTHENTICATED", code == grpc.StatusCode.UNAUTHENTICATED, f"{code} {details}")
        before = fetches()
        renewed = stub.RenewNonDomainJoinedKerberosLease(
            pb.RenewNonDomainJoinedKerberosLeaseRequest(username=name, password=new, domain=user["domainName"]), timeout=120)
        check("renewing with the new password lists the user's directories", list(renewed.renewed_kerberos_file_paths) == [directory],
              renewed)
        check("the renewal read the password again", fetches() - before == 1, f"{fetches() - before} fetches")
        check("the renewed ticket cache works", kvno(os.path.join(directory, "krb5cc"), "host/webapp01.contoso.test")[0])
        stub.DeleteKerberosLease(pb.DeleteKerberosLeaseRequest(lease_id=answer.lease_id), timeout=60)
    finally:
        samba("user", "delete", name)

    # A portable user who may not read the gMSA's password.
    code, details = status_of(stub.AddNonDomainJoinedKerberosLease,
                              add([credspecs["WebApp01"]], username=outsider["username"], password=outsider["password"],
                                  domain=outsider["domainName"]))
    check("a reader the gMSA does not allow gives PERMISSION_DENIED", code == grpc.StatusCode.PERMISSION_DENIED, f"{code} {details}")
    check("nothing is left in the krb files directory", os.listdir(KRB_DIR) == [], os.listdir(KRB_DIR))
    print("all checks passed")


{"main": main, "domain-joined": domain_joined, "rotation": rotation, "rotation-after-restart": rotation_after_restart,
 "task-lease": task_lease, "delete-task-lease": delete_task_lease, "renew": renew_user, "account-lease": account_lease, "read-again": read_again, "health": health, "before-restart": before_restart, "after-restart": after_restart, "unreachable": unreachable, "refused": refused}[env.get("ECS_MODE", "main")]()
if env.get("ECS_MODE", "main") != "main":
    print("all checks passed")
