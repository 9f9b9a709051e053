#!/usr/bin/env python3
"""Builds the real-manifest corpus of the README's Performance table.

40 files of 155 documents each (6,200 documents, about 53 MB): every file holds the
kube-prometheus `manifests/*.yaml` (its CRDs under `manifests/setup/` left out) and
the microservices-demo `release/kubernetes-manifests.yaml` and
`kubernetes-manifests/*.yaml`, with its objects in a namespace of its own
(`corpus-01` … `corpus-40`), so that no two documents of the corpus are the same.

Usage:
    benches/real_corpus.py OUT_DIR [KUBE_PROMETHEUS_DIR MICROSERVICES_DEMO_DIR]

Without the two directories, both repositories are cloned (at the commits below)
into OUT_DIR/src with git. Then, for instance:
    /usr/bin/time -v target/release/blastwall lint --no-config -f json OUT_DIR/*.yaml >/dev/null
"""

import os
import re
import subprocess
import sys

KUBE_PROMETHEUS = (
    "https://github.com/prometheus-operator/kube-prometheus",
    "4d719f1dea8853540b3823ab1fbe6be74a9953b3",
)
MICROSERVICES_DEMO = (
    "https://github.com/GoogleCloudPlatform/microservices-demo",
    "34ffea9175946982c3088ed84994fe6019ad6e92",
)
FILES = 40


def clone(url, commit, into):
    if not os.path.isdir(into):
        subprocess.run(["git", "init", "-q", into], check=True)
        subprocess.run(["git", "-C", into, "fetch", "-q", "--depth", "1", url, commit], check=True)
        subprocess.run(["git", "-C", into, "checkout", "-q", "FETCH_HEAD"], check=True)
    return into


def yaml_files(directory):
    return sorted(
        os.path.join(directory, f)
        for f in os.listdir(directory)
        if f.endswith(".yaml")
    )


def documents(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for doc in re.split(r"^---[ \t]*$", text, flags=re.M):
        if re.search(r"^kind:", doc, flags=re.M):
            yield doc.strip("\n") + "\n"


def in_namespace(doc, namespace):
    """The document with kube-prometheus's `monitoring` namespace (in metadata and in
    RoleBinding subjects) replaced, or `metadata.namespace` added where it has none."""
    doc = re.sub(r"(\bnamespace: )monitoring\b", r"\g<1>" + namespace, doc)
    if re.search(r"^  namespace:", doc, flags=re.M):
        return doc
    kind = re.search(r"^kind: (\S+)", doc, flags=re.M).group(1)
    if kind.startswith("Cluster") or kind in ("Namespace", "CustomResourceDefinition"):
        return doc
    return re.sub(r"^metadata:\n", "metadata:\n  namespace: " + namespace + "\n", doc, count=1, flags=re.M)


def main():
    if len(sys.argv) not in (2, 4):
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    if len(sys.argv) == 4:
        kp, md = sys.argv[2], sys.argv[3]
    else:
        kp = clone(*KUBE_PROMETHEUS, os.path.join(out, "src", "kube-prometheus"))
        md = clone(*MICROSERVICES_DEMO, os.path.join(out, "src", "microservices-demo"))
    sources = yaml_files(os.path.join(kp, "manifests"))
    sources.append(os.path.join(md, "release", "kubernetes-manifests.yaml"))
    sources += yaml_files(os.path.join(md, "kubernetes-manifests"))
    docs = [d for path in sources for d in documents(path)]
    total = 0
    for i in range(1, FILES + 1):
        namespace = f"corpus-{i:02}"
        text = "".join("---\n" + in_namespace(d, namespace) for d in docs)
        path = os.path.join(out, f"{namespace}.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        total += len(text)
    print(f"{FILES} files, {FILES * len(docs)} documents, {total / 1e6:.1f} MB in {out}")


if __name__ == "__main__":
    main()
