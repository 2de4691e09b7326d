"""Offline checks of deploy/kubernetes, run by scripts/check-manifests (in .venv-tests, which has
kubernetes-validate from PyPI: the Kubernetes API's JSON schemas for each release it ships).

  - every YAML document parses, with no key given twice (YAML keeps the last one silently; the
    API server's strict decoding refuses it);
  - every Kubernetes object is valid against the API schemas of each release in VERSIONS, in
    strict mode: an unknown or misspelt field is an error, not ignored;
  - each kustomization.yaml lists resources that exist, and the base lists every manifest of its
    directory (a new manifest cannot be forgotten); where kubectl is installed, `kubectl
    kustomize` renders each;
  - the objects agree with each other: one driver name in the CSIDriver, the DaemonSet's plug-in
    directory, the example's [csi] driver-name and the pod's volume; the ConfigMaps and Secret
    the DaemonSet mounts are those the example defines; --config names a file of a mount;
  - the example's ccgd.conf, CredSpecs and credentials pass `ccgd --check-config` (with --ccgd).

--self-test first breaks a copy of the directory in each of those ways and fails unless every
break is reported: the check is shown able to fail each time it runs.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import kubernetes_validate
import yaml

# The oldest release the manifests support (kubelet delegates fsGroup to a driver with
# VOLUME_MOUNT_GROUP by default from 1.23, unconditionally from 1.26; 1.30 is the oldest still
# in common support) and the newest kubernetes-validate ships.
VERSIONS = ("1.30.0", "1.37.0")
KUSTOMIZE_API = "kustomize.config.k8s.io/"
CONFIG_MAP, CREDSPECS, CREDENTIALS = "ccgd-config", "ccgd-credspecs", "ccgd-credentials"
# How kubelet lays out ConfigMap and Secret volumes: a sticky world-writable directory holding
# ..<timestamp>/ with the files, ..data -> ..<timestamp>, and each NAME -> ..data/NAME. ccgd reads
# CredSpecs and credentials through those links (only while they stay inside), so the check gives
# it exactly that layout; False gives plain files instead.
KUBELET_VOLUME_LAYOUT = True


class Problems(list):
    def add(self, where, text):
        self.append(f"{where}: {text}")


class UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice."""


def _mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice (line {key_node.start_mark.line + 1}); keep one", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def yaml_files(root):
    found = []
    for directory, _, names in os.walk(root):
        found += [os.path.join(directory, n) for n in names if n.endswith((".yaml", ".yml"))]
    return sorted(found)


def load(path, problems):
    """The documents of PATH (empty ones dropped), or [] with a problem."""
    try:
        with open(path, encoding="utf-8") as stream:
            return [d for d in yaml.load_all(stream, Loader=UniqueKeyLoader) if d is not None]
    except yaml.YAMLError as error:
        problems.add(path, f"not valid YAML: {' '.join(str(error).split())}")
        return []


def name_of(document):
    metadata = document.get("metadata") or {}
    namespace = f"{metadata['namespace']}/" if metadata.get("namespace") else ""
    return f"{document.get('kind', '?')} {namespace}{metadata.get('name', '?')}"


def check_schema(path, document, problems):
    for version in VERSIONS:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            problems.add(path, f"{name_of(document)}: Kubernetes {version} has no {document.get('apiVersion')} {document.get('kind')}; use an API it serves")
            return
        except kubernetes_validate.ValidationError as error:
            field = ".".join(str(p) for p in error.path) or "(the object)"
            problems.add(path, f"{name_of(document)}: invalid for Kubernetes {version} at {field}: {error.message}")


def check_kustomization(path, document, base_root, problems):
    directory = os.path.dirname(path)
    listed = set()
    for resource in document.get("resources") or []:
        target = os.path.normpath(os.path.join(directory, resource))
        listed.add(target)
        if os.path.isdir(target):
            if not os.path.exists(os.path.join(target, "kustomization.yaml")):
                problems.add(path, f"resource {resource} is a directory without kustomization.yaml")
        elif not os.path.isfile(target):
            problems.add(path, f"resource {resource} does not exist; fix the name or remove it")
    if os.path.normpath(directory) == os.path.normpath(base_root):
        for name in sorted(os.listdir(directory)):
            full = os.path.join(directory, name)
            if name.endswith((".yaml", ".yml")) and name != "kustomization.yaml" and full not in listed:
                problems.add(path, f"{name} is not in resources; list it (examples belong in examples/)")


def render_kustomizations(root, problems, notes):
    """`kubectl kustomize` of each kustomization, where kubectl is installed: kustomize's own
    rules (a file outside the directory, an object twice) hold too."""
    kubectl = shutil.which("kubectl")
    if not kubectl:
        notes.append("kubectl is not installed: the kustomizations were checked but not rendered")
        return
    for path in yaml_files(root):
        if os.path.basename(path) != "kustomization.yaml":
            continue
        result = subprocess.run([kubectl, "kustomize", os.path.dirname(path)], capture_output=True, text=True)
        if result.returncode != 0:
            problems.add(path, f"kubectl kustomize fails: {' '.join(result.stderr.split())}")


def find(objects, kind, name=None):
    return [(p, d) for p, d in objects if d.get("kind") == kind and (name is None or (d.get("metadata") or {}).get("name") == name)]


def csi_driver_name(conf_text):
    """[csi] driver-name of a ccgd.conf (its default when the section has none), or None without [csi]."""
    section, name, has_csi = None, None, False
    for line in conf_text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            section = line
            has_csi = has_csi or section == "[csi]"
        elif section == "[csi]" and "=" in line:
            key, value = (part.strip() for part in line.split("=", 1))
            if key == "driver-name":
                name = value.strip('"')
    return (name or "gmsa.csi.ccgd") if has_csi else None


def check_references(objects, problems):
    drivers = find(objects, "CSIDriver")
    daemonsets = find(objects, "DaemonSet", "ccgd")
    if len(drivers) != 1 or len(daemonsets) != 1:
        problems.add("deploy/kubernetes", f"expected one CSIDriver and one DaemonSet ccgd, found {len(drivers)} and {len(daemonsets)}")
        return
    driver = drivers[0][1]["metadata"]["name"]
    ds_path, daemonset = daemonsets[0]
    pod_spec = daemonset["spec"]["template"]["spec"]
    host_paths = [v["hostPath"]["path"] for v in pod_spec.get("volumes", []) if "hostPath" in v]
    if f"/var/lib/kubelet/plugins/{driver}" not in host_paths:
        problems.add(ds_path, f"no hostPath volume /var/lib/kubelet/plugins/{driver} for the CSIDriver {driver}'s socket")
    # The ConfigMaps and Secret the DaemonSet mounts, and where.
    mounts = {m["name"]: m["mountPath"] for c in pod_spec["containers"] for m in c.get("volumeMounts", [])}
    sources = {}
    for volume in pod_spec.get("volumes", []):
        if "configMap" in volume:
            sources[("ConfigMap", volume["configMap"]["name"])] = mounts.get(volume["name"])
        if "secret" in volume:
            sources[("Secret", volume["secret"]["secretName"])] = mounts.get(volume["name"])
    for kind, name in sorted(sources):
        if not find(objects, kind, name):
            problems.add(ds_path, f"mounts the {kind} {name}, which the example does not define; name one of examples/")
    args = pod_spec["containers"][0].get("args", [])
    if "--config" in args:
        config = args[args.index("--config") + 1]
        if os.path.dirname(config) != sources.get(("ConfigMap", CONFIG_MAP)):
            problems.add(ds_path, f"--config {config} is not in the ConfigMap {CONFIG_MAP}'s mount {sources.get(('ConfigMap', CONFIG_MAP))}")
    for path, config_map in find(objects, "ConfigMap", CONFIG_MAP):
        named = csi_driver_name((config_map.get("data") or {}).get("ccgd.conf", ""))
        if named != driver:
            problems.add(path, f"ccgd.conf's [csi] driver-name is {named}, the CSIDriver's name is {driver}; make them one")
    for path, pod in find(objects, "Pod"):
        for volume in pod["spec"].get("volumes", []):
            if "csi" in volume and volume["csi"].get("driver") != driver:
                problems.add(path, f"{name_of(pod)}: volume {volume['name']} names the driver {volume['csi'].get('driver')}, not {driver}")


def run_ccgd_check(ccgd, objects, problems, notes):
    """ccgd --check-config on the example's ccgd.conf, CredSpecs and credentials, laid out in a
    temporary root as the DaemonSet mounts them (their /etc/ccgd, /run/ccgd, /var/lib/ccgd paths
    moved into it)."""
    config_maps = find(objects, "ConfigMap", CONFIG_MAP)
    if not config_maps:
        problems.add("examples", f"no ConfigMap {CONFIG_MAP} to check with ccgd --check-config")
        return
    path, config_map = config_maps[0]
    if os.geteuid() != 0:
        notes.append("ccgd --check-config skipped: the file plug-in checks that credentials are root's; run as root")
        return
    with tempfile.TemporaryDirectory(prefix="ccgd-manifests.") as root:
        os.chmod(root, 0o755)
        conf = config_map["data"]["ccgd.conf"]
        for original in ("/etc/ccgd/", "/run/ccgd", "/var/lib/ccgd"):
            conf = conf.replace(original, root + original)
        for kind, name, directory, mode in (("ConfigMap", CREDSPECS, "etc/ccgd/credspecs", 0o644),
                                            ("Secret", CREDENTIALS, "etc/ccgd/credentials", 0o400)):
            files = {}
            for _, document in find(objects, kind, name):
                files.update(document.get("data") if kind == "ConfigMap" else {})
                files.update(document.get("stringData") or {})
            write_volume(os.path.join(root, directory), files, mode, kind)
        conf_path = os.path.join(root, "ccgd.conf")
        with open(conf_path, "w", encoding="utf-8") as stream:
            stream.write(conf)
        result = subprocess.run([ccgd, "--check-config", "--config", conf_path], capture_output=True, text=True)
        output = (result.stdout + result.stderr).replace(root, "")
        if result.returncode != 0:
            problems.add(path, f"ccgd --check-config refuses the example's ccgd.conf:\n  " + "\n  ".join(output.strip().splitlines()))
        else:
            notes.append(f"ccgd --check-config: {output.strip().splitlines()[0]}")


def write_volume(directory, files, mode, kind):
    """FILES (name: text) in DIRECTORY, each with MODE, as kubelet would mount them if
    KUBELET_VOLUME_LAYOUT, else as plain files in a directory only root may change."""
    if not KUBELET_VOLUME_LAYOUT:
        os.makedirs(directory, mode=0o700 if kind == "Secret" else 0o755)
        data = directory
    else:
        os.makedirs(directory)
        os.chmod(directory, 0o1777)
        data = os.path.join(directory, "..2026_01_01_00_00_00.000000001")
        os.makedirs(data, mode=0o755)
        os.symlink(os.path.basename(data), os.path.join(directory, "..data"))
    for name, text in files.items():
        with open(os.path.join(data, name), "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(os.path.join(data, name), mode)
        if KUBELET_VOLUME_LAYOUT:
            os.symlink(os.path.join("..data", name), os.path.join(directory, name))


def check(root, ccgd):
    """(problems, notes, number of objects checked) for the manifests under ROOT."""
    problems, notes, objects = Problems(), [], []
    files = yaml_files(root)
    if not files:
        problems.add(root, "no YAML files")
    for path in files:
        for document in load(path, problems):
            if not isinstance(document, dict):
                problems.add(path, "a document is not a mapping")
            elif str(document.get("apiVersion", "")).startswith(KUSTOMIZE_API):
                check_kustomization(path, document, root, problems)
            else:
                check_schema(path, document, problems)
                objects.append((path, document))
    if not problems:
        check_references(objects, problems)
    if not problems:
        render_kustomizations(root, problems, notes)
    if ccgd and not problems:
        run_ccgd_check(ccgd, objects, problems, notes)
    shown = [p.replace(root, os.path.basename(root)) for p in problems]
    return shown, notes, len(objects)


# Each break: a file, a text in it, what replaces it, and a fragment of the problem expected.
BREAKS = (
    ("daemonset.yaml", "      hostNetwork: true", "      hostNetwork: true\n      hostNetwrk: true",
     "Additional properties are not allowed ('hostNetwrk' was unexpected)"),
    ("csidriver.yaml", "attachRequired: false", "attachRequired: \"no\"", "at spec.attachRequired"),
    ("daemonset.yaml", "apiVersion: apps/v1", "apiVersion: apps/v1beta2", "has no apps/v1beta2 DaemonSet"),
    ("serviceaccount.yaml", "  name: ccgd\n", "  name: ccgd\n  name: ccgd-again\n", "the key 'name' appears twice"),
    ("kustomization.yaml", "  - daemonset.yaml", "  - daemonset.yaml\n  - rbac.yaml", "resource rbac.yaml does not exist"),
    ("examples/kustomization.yaml", "  - secret.yaml", "  - secret.yaml\n  - ../csidriver.yaml", "kubectl kustomize fails"),
    ("examples/pod.yaml", "driver: gmsa.csi.ccgd", "driver: gmsa.csi.ccgdx", "names the driver gmsa.csi.ccgdx"),
    ("daemonset.yaml", "secretName: ccgd-credentials", "secretName: ccgd-creds", "mounts the Secret ccgd-creds"),
    ("examples/configmap.yaml", "    [plugins]\n", "    [plugins]\n    timeout = soon\n", "ccgd --check-config refuses"),
)


def self_test(root, ccgd):
    """Fails unless a clean copy passes and each break of BREAKS is reported as expected."""
    failures = []
    with tempfile.TemporaryDirectory(prefix="ccgd-manifests-self-test.") as work:
        for index, brk in enumerate((None,) + BREAKS):
            copy = os.path.join(work, f"kubernetes{index}")
            shutil.copytree(root, copy)
            if brk is None:
                problems, _, _ = check(copy, ccgd)
                if problems:
                    failures.append("the unbroken copy fails:\n  " + "\n  ".join(problems))
                continue
            name, old, new, expected = brk
            if brk[0] == "examples/configmap.yaml" and (not ccgd or os.geteuid() != 0):
                continue
            if "kubectl" in brk[3] and not shutil.which("kubectl"):
                continue
            target = os.path.join(copy, name)
            with open(target, encoding="utf-8") as stream:
                text = stream.read()
            if old not in text:
                failures.append(f"self-test break {index} is stale: {name} no longer has {old!r}; update BREAKS")
                continue
            with open(target, "w", encoding="utf-8") as stream:
                stream.write(text.replace(old, new, 1))
            problems, _, _ = check(copy, ccgd)
            if not any(expected in p for p in problems):
                failures.append(f"break {index} ({name}: {new.strip()!r}) was not reported as {expected!r}; got: {problems or 'no problem'}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "kubernetes"))
    parser.add_argument("--ccgd", help="the ccgd program whose --check-config checks the example configuration")
    parser.add_argument("--self-test", action="store_true", help="first show that each kind of break is reported")
    arguments = parser.parse_args()
    root = os.path.normpath(arguments.root)
    if arguments.self_test:
        failures = self_test(root, arguments.ccgd)
        for failure in failures:
            print(f"check-manifests: self-test: {failure}", file=sys.stderr)
        if failures:
            return 1
        print(f"check-manifests: self-test: {len(BREAKS)} kinds of broken manifest are each reported")
    problems, notes, count = check(root, arguments.ccgd)
    for note in notes:
        print(f"check-manifests: note: {note}")
    for problem in problems:
        print(f"check-manifests: {problem}", file=sys.stderr)
    if problems:
        print(f"check-manifests: {len(problems)} problem(s) in {root}; fix them (above)", file=sys.stderr)
        return 1
    print(f"check-manifests: {count} objects in {root} valid against Kubernetes {' and '.join(VERSIONS)} (strict)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
