#!/usr/bin/env python3
"""Runs the rendered Kubernetes manifests of a census as processes on this machine.

Issue 11: "a local run reads the rendered manifests and starts each container's command,
args and env as processes in network namespaces on this machine (one per pod; Service and
StatefulSet names resolvable, the ConfigMaps and Secret mounted as files), and runs a small
census through them: so the ports, names, flags and paths in the manifests are the ones the
binary accepts. Its report equals `census run`'s on the same sites."

  local_run.py --rendered FILE.yaml --census BIN --simweb BIN --work DIR

What it emulates, and what it does not:
- Each pod of a StatefulSet (name-0 .. name-N-1) and Deployment gets a network namespace
  (veth into a bridge in a hub namespace) and a mount namespace (unshare -m) in which its
  volumes are bind-mounted at their mountPaths: configMap and secret volumes as files
  (keys, or items), emptyDir, persistentVolumeClaim and volumeClaimTemplates as a folder
  of the pod's own. Its /etc/hosts (ip netns exec binds /etc/netns/NS/hosts) names every
  pod by its hostname, StatefulSet pods also as POD.SERVICE, and each Service by the
  address of its (first) pod: a Service's port must equal its target port, since there is
  no kube-proxy here to translate.
- Env: value, configMapKeyRef, secretKeyRef, fieldRef (metadata.name, metadata.namespace,
  status.podIP), envFrom; $(VAR) in command and args as Kubernetes expands it. HOSTNAME is
  the pod name. `census` on PATH is the binary under test.
- Not emulated: users and security contexts (processes run as root), resource limits,
  probes (the harness polls `census status` instead), NetworkPolicies, HPA and CronJobs
  (their Jobs run the same containers).
- The web is the simulated web on 203.0.113.10:80 (TEST-NET-3, never routed) in its own
  namespace, its host names in every pod's /etc/hosts; the census-sites ConfigMap is
  replaced by its sites, and the census-cluster ConfigMap's probe schedule is shortened
  (PROBES=3, PROBE_INTERVAL=2s) so the census takes a minute, not an hour.
Then the aggregate Job runs, and `census run` runs on the same sites in a namespace of its
own with the worker's flags; the two report.csv must be equal and report.json equal but
for the fields that say when it was made. Exit 0 when they are.
"""
import argparse
import base64
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import yaml

IP = "/usr/sbin/ip"
WEB_IP = "203.0.113.10"


def sh(*args, check=True):
    r = subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {r.stderr.strip()}")
    return r


class Net:
    """A hub bridge and one namespace per pod, addresses 10.X.Y.N/24."""

    def __init__(self, tag):
        self.tag = tag
        pid = os.getpid()
        self.subnet = f"10.{200 + pid % 50}.{(pid // 50) % 250}"
        self.hub = f"{tag}-hub"
        self.nodes = []
        sh(IP, "netns", "add", self.hub)
        sh(IP, "-n", self.hub, "link", "add", "br0", "type", "bridge")
        sh(IP, "-n", self.hub, "link", "set", "br0", "up")

    def add(self, name, address=None):
        i = len(self.nodes)
        ns = f"{self.tag}-{i}"
        host, peer = f"vh{self.tag}{i}", f"vn{self.tag}{i}"
        addr = address or f"{self.subnet}.{10 + i}"
        sh(IP, "netns", "add", ns)
        sh(IP, "link", "add", host, "netns", self.hub, "type", "veth", "peer", "name", peer,
           "netns", ns)
        sh(IP, "-n", self.hub, "link", "set", host, "master", "br0", "up")
        sh(IP, "-n", ns, "addr", "add", f"{addr}/24", "dev", peer)
        sh(IP, "-n", ns, "link", "set", peer, "up")
        sh(IP, "-n", ns, "link", "set", "lo", "up")
        # The pods and the web are on one link but two subnets: on-link routes both ways.
        other = f"{self.subnet}.0/24" if address else "203.0.113.0/24"
        sh(IP, "-n", ns, "route", "add", other, "dev", peer)
        self.nodes.append(ns)
        return ns, addr

    def close(self):
        for ns in self.nodes + [self.hub]:
            sh(IP, "netns", "del", ns, check=False)
            shutil.rmtree(f"/etc/netns/{ns}", ignore_errors=True)


def expand(text, env):
    # Kubernetes: $(VAR) is replaced when VAR is defined, $$(VAR) escapes it.
    def repl(m):
        if m.group(0).startswith("$$"):
            return m.group(0)[1:]
        return env.get(m.group(1), m.group(0))
    return re.sub(r"\$\$?\(([A-Za-z_][A-Za-z0-9_]*)\)", repl, text)


class Cluster:
    def __init__(self, docs, work, census, simweb):
        self.work, self.census, self.simweb = work, census, simweb
        self.configmaps, self.secrets, self.services, self.workloads, self.jobs = {}, {}, [], [], []
        for d in docs:
            if not d:
                continue
            kind, name = d["kind"], d["metadata"]["name"]
            if kind == "ConfigMap":
                self.configmaps[name] = dict(d.get("data", {}))
            elif kind == "Secret":
                data = {k: base64.b64decode(v) for k, v in d.get("data", {}).items()}
                data.update({k: v.encode() for k, v in d.get("stringData", {}).items()})
                self.secrets[name] = data
            elif kind == "Service":
                self.services.append(d)
            elif kind in ("StatefulSet", "Deployment"):
                self.workloads.append(d)
            elif kind == "Job":
                self.jobs.append(d)
        self.procs = []
        self.net = Net(f"k{os.getpid() % 100000}")
        self.pods = []  # (pod name, workload doc, ns, address)
        # Not in the work folder: a pod may mount an emptyDir over /tmp.
        self.bindir = f"/run/census-local-run-{os.getpid()}"
        self.bindir_owned = True
        os.makedirs(self.bindir, exist_ok=True)
        link = os.path.join(self.bindir, "census")
        if not os.path.exists(link):
            os.symlink(census, link)

    # ------------------------------------------------------------------ configuration

    def configmap_by_prefix(self, prefix):
        # kustomize appends a content hash to generated names: census-sites-abc123.
        names = [n for n in self.configmaps if n == prefix or re.fullmatch(prefix + r"-[a-z0-9]+", n)]
        if len(names) != 1:
            raise RuntimeError(f"ConfigMap {prefix}: found {names}")
        return names[0]

    def pod_env(self, pod, addr, container, namespace):
        env = {"HOSTNAME": pod, "PATH": f"{self.bindir}:/usr/local/bin:/usr/bin:/bin",
               "HOME": "/tmp"}
        for src in container.get("envFrom", []):
            if "configMapRef" in src:
                env.update(self.configmaps[src["configMapRef"]["name"]])
            if "secretRef" in src:
                env.update({k: v.decode() for k, v in self.secrets[src["secretRef"]["name"]].items()})
        for e in container.get("env", []):
            if "value" in e:
                env[e["name"]] = expand(str(e["value"]), env)
                continue
            vf = e.get("valueFrom", {})
            if "configMapKeyRef" in vf:
                ref = vf["configMapKeyRef"]
                value = self.configmaps.get(ref["name"], {}).get(ref["key"])
                if value is None and not ref.get("optional"):
                    raise RuntimeError(f"{pod}: env {e['name']}: no {ref}")
                if value is not None:
                    env[e["name"]] = value
            elif "secretKeyRef" in vf:
                ref = vf["secretKeyRef"]
                env[e["name"]] = self.secrets[ref["name"]][ref["key"]].decode()
            elif "fieldRef" in vf:
                path = vf["fieldRef"]["fieldPath"]
                env[e["name"]] = {"metadata.name": pod, "metadata.namespace": namespace,
                                  "status.podIP": addr, "spec.nodeName": "local"}[path]
            elif "resourceFieldRef" in vf:
                env[e["name"]] = "1"
        return env

    def pod_mounts(self, pod, spec, container, claim_templates):
        """(host_dir, mount_path) pairs, the host side prepared."""
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for t in claim_templates:
            volumes[t["metadata"]["name"]] = {"name": t["metadata"]["name"], "claim": True}
        mounts = []
        for m in container.get("volumeMounts", []):
            v = volumes[m["name"]]
            host = os.path.join(self.work, "pods", pod, "volumes", m["name"])
            os.makedirs(host, exist_ok=True)
            files = None
            if "configMap" in v:
                files = {k: val.encode() for k, val in self.configmaps[v["configMap"]["name"]].items()}
                items = v["configMap"].get("items")
            elif "secret" in v:
                files = self.secrets[v["secret"]["secretName"]]
                items = v["secret"].get("items")
            if files is not None:
                if items:
                    files = {i["path"]: files[i["key"]] for i in items}
                for k, data in files.items():
                    path = os.path.join(host, k)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "wb") as f:
                        f.write(data)
            if "subPath" in m:
                host = os.path.join(host, m["subPath"])
            mounts.append((host, m["mountPath"]))
        return mounts

    # ------------------------------------------------------------------ processes

    def start(self, pod, ns, addr, spec, container, namespace, claim_templates, log):
        env = self.pod_env(pod, addr, container, namespace)
        argv = [expand(a, env) for a in container.get("command", [])] + \
               [expand(a, env) for a in container.get("args", [])]
        if not argv:
            raise RuntimeError(f"{pod}: no command")
        mounts = self.pod_mounts(pod, spec, container, claim_templates)
        # A mount over a folder holding the harness's own files (an emptyDir at /tmp while
        # the work folder is in /tmp) goes last, or it would hide the other mounts' sources.
        mounts.sort(key=lambda m: (self.work + "/").startswith(m[1].rstrip("/") + "/"))
        binds = " && ".join(
            f"mkdir -p {shlex.quote(path)} && mount --bind {shlex.quote(host)} {shlex.quote(path)}"
            for host, path in mounts) or "true"
        wrapper = [IP, "netns", "exec", ns, "unshare", "-m", "--propagation", "private", "sh", "-c",
                   f'{binds} && exec "$0" "$@"'] + argv
        out = open(os.path.join(self.work, f"{log}.log"), "wb")
        p = subprocess.Popen(wrapper, env=env, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def write_hosts(self, extra):
        lines = ["127.0.0.1 localhost"]
        for pod, w, ns, addr in self.pods:
            names = [pod]
            svc = w["spec"].get("serviceName")
            if svc:
                names += [f"{pod}.{svc}"]
            lines.append(f"{addr} {' '.join(names)}")
        for s in self.services:
            sel = s["spec"].get("selector", {})
            for pod, w, ns, addr in self.pods:
                labels = w["spec"]["template"]["metadata"].get("labels", {})
                if sel and all(labels.get(k) == v for k, v in sel.items()):
                    for p in s["spec"].get("ports", []):
                        target = p.get("targetPort", p["port"])
                        ports = {cp.get("name"): cp["containerPort"]
                                 for c in w["spec"]["template"]["spec"]["containers"]
                                 for cp in c.get("ports", [])}
                        if isinstance(target, str):
                            target = ports.get(target)
                        if target != p["port"]:
                            raise RuntimeError(f"Service {s['metadata']['name']}: port {p['port']} "
                                               f"-> {target} needs a proxy this harness has not")
                    lines.append(f"{addr} {s['metadata']['name']}")
                    break
        lines += [f"{WEB_IP} {h}" for h in extra]
        text = "\n".join(lines) + "\n"
        for ns in self.net.nodes:
            os.makedirs(f"/etc/netns/{ns}", exist_ok=True)
            with open(f"/etc/netns/{ns}/hosts", "w") as f:
                f.write(text)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 25
        for p in self.procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.net.close()
        shutil.rmtree(self.bindir, ignore_errors=True)


def normalize(text):
    text = re.sub(r'"(started|finished|fetched_at|first_at|last_at|checked_at)": ?"[^"]*"', r'"\1": "T"', text)
    # libcurl's words for a refused HTTPS check carry a port and a duration.
    text = re.sub(r'"detail": ?"Failed to connect to [^"]*"', r'"detail": "refused"', text)
    return re.sub(r'"(elapsed_ms|first_byte_ms)": ?"?[0-9]+"?', r'"\1": 0', text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rendered", required=True)
    ap.add_argument("--census", required=True)
    ap.add_argument("--simweb", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--sites", type=int, default=6)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    with open(a.rendered) as f:
        docs = list(yaml.safe_load_all(f))
    c = Cluster(docs, a.work, a.census, a.simweb)
    try:
        # The simulated web.
        web_ns, _ = c.net.add("web", WEB_IP)
        truth = os.path.join(a.work, "truth")
        web = subprocess.Popen([IP, "netns", "exec", web_ns, a.simweb, "serve", "--seed", "1",
                                "--sites", str(a.sites), "--as-of", "2026-11-20", "--probes", "3",
                                "--probe-fail-delay", "0s", "--bind", WEB_IP, "--port", "80",
                                "--truth-dir", truth],
                               stdout=open(os.path.join(a.work, "web.log"), "wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
        c.procs.append(web)
        for _ in range(100):
            if os.path.exists(os.path.join(truth, "truth.json")):
                break
            time.sleep(0.1)
        hosts = sorted({r.split(":")[0] for r in json.load(open(os.path.join(truth, "truth.json")))["connect_to"]})
        with open(os.path.join(truth, "sites.csv")) as f:
            sites_csv = f.read()
        # The census's inputs: the simulated web's sites, a short probe schedule.
        c.configmaps[c.configmap_by_prefix("census-sites")] = {"sites.csv": sites_csv}
        cluster_cm = c.configmap_by_prefix("census-cluster")
        c.configmaps[cluster_cm].update({"PROBES": "3", "PROBE_INTERVAL": "2s"})
        namespace = None
        for w in c.workloads:
            namespace = w["metadata"].get("namespace", "default")
            n = w["spec"].get("replicas", 1)
            base = w["metadata"]["name"]
            for i in range(n):
                pod = f"{base}-{i}"
                ns, addr = c.net.add(pod)
                c.pods.append((pod, w, ns, addr))
        embedded_ns, embedded_addr = c.net.add("embedded")
        job_nodes = {}
        for j in c.jobs:
            job_nodes[j["metadata"]["name"]] = c.net.add(j["metadata"]["name"])
        c.write_hosts(hosts)
        started = {}
        for pod, w, ns, addr in c.pods:
            spec = w["spec"]["template"]["spec"]
            for container in spec["containers"]:
                started[pod] = c.start(pod, ns, addr, spec, container, namespace,
                                       w["spec"].get("volumeClaimTemplates", []), pod)
        # Wait until the coordinator has recorded the run (what the aggregate Job waits for).
        coord = [(pod, ns) for pod, w, ns, addr in c.pods if w["metadata"]["name"] == "coordinator"]
        if not coord:
            raise RuntimeError("no coordinator StatefulSet")
        keys_dir = os.path.join(a.work, "client-keys")
        os.makedirs(keys_dir, exist_ok=True)
        client = [s for s in c.secrets if s.startswith("census-client-keys")][0]
        for k, v in c.secrets[client].items():
            with open(os.path.join(keys_dir, k), "wb") as f:
                f.write(v)
        run_id = None
        deadline = time.time() + 600
        while time.time() < deadline and run_id is None:
            for pod, p in started.items():
                # A worker exits 0 once the census is complete (its Deployment would start
                # it again, to wait for the next census).
                if p.poll() is not None and p.returncode != 0:
                    raise RuntimeError(f"pod {pod} exited {p.returncode}: see {a.work}/{pod}.log")
            r = sh(IP, "netns", "exec", coord[0][1], a.census, "status", "--coordinator",
                   "tcp://coordinator:7000", "--json", "--key", f"{keys_dir}/client.key",
                   "--server-key", f"{keys_dir}/server.pub", check=False)
            if r.returncode == 0 and '"run_recorded": true' in r.stdout:
                run_id = json.loads(r.stdout)["run_id"]
                break
            time.sleep(1)
        if run_id is None:
            raise RuntimeError("the census did not complete in 10 minutes")
        print(f"local_run: census {run_id} recorded by the rendered coordinator", file=sys.stderr)
        # The aggregate Job.
        report_dir = None
        for j in c.jobs:
            name = j["metadata"]["name"]
            ns, addr = job_nodes[name]
            spec = j["spec"]["template"]["spec"]
            p = c.start(name, ns, addr, spec, spec["containers"][0], namespace, [], name)
            try:
                rc = p.wait(timeout=300)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"Job {name} did not finish in 5 minutes")
            if rc != 0:
                raise RuntimeError(f"Job {name} exited {rc}: see {a.work}/{name}.log")
            for root, _, files in os.walk(os.path.join(a.work, "pods", name)):
                if "report.json" in files:
                    report_dir = root
        if report_dir is None:
            raise RuntimeError("no Job wrote a report.json")
        # census run on the same sites, with the worker's and coordinator's flags.
        worker = [w for w in c.workloads if w["metadata"]["name"] == "worker"][0]
        wpod = [p for p in c.pods if p[1] is worker][0]
        wenv = c.pod_env(wpod[0], wpod[3], worker["spec"]["template"]["spec"]["containers"][0], namespace)
        wargs = [expand(x, wenv) for x in worker["spec"]["template"]["spec"]["containers"][0].get("args", [])]
        cm = c.configmaps[cluster_cm]
        run = [a.census, "run", "--sites", os.path.join(truth, "sites.csv"), "--out",
               os.path.join(a.work, "embedded-out"), "--data", os.path.join(a.work, "embedded-data"),
               "--probes", cm["PROBES"], "--probe-interval", cm["PROBE_INTERVAL"], "--quiet"]
        for flag in ("--probe-timeout", "--page-timeout", "--host-delay", "--host-connections",
                     "--recheck-delay", "--max-list-pages"):
            if flag in wargs:
                run += [flag, wargs[wargs.index(flag) + 1]]
        if "MAX_PAGES_PER_SITE" in cm:
            run += ["--max-pages-per-site", cm["MAX_PAGES_PER_SITE"]]
        r = sh(IP, "netns", "exec", embedded_ns, *run, check=False)
        if r.returncode != 0:
            raise RuntimeError(f"census run: {r.stderr}")
        got_csv = open(os.path.join(report_dir, "report.csv"), encoding="utf-8-sig").read()
        want_csv = open(os.path.join(a.work, "embedded-out", "report.csv"), encoding="utf-8-sig").read()
        got = normalize(open(os.path.join(report_dir, "report.json")).read())
        want = normalize(open(os.path.join(a.work, "embedded-out", "report.json")).read())
        if got_csv != want_csv or got != want:
            for i, (x, y) in enumerate(zip(want.splitlines(), got.splitlines())):
                if x != y:
                    print(f"local_run: report.json differs at line {i + 1}:\n  census run: {x}\n"
                          f"  manifests:  {y}", file=sys.stderr)
                    break
            if got_csv != want_csv:
                print(f"local_run: report.csv differs:\n{want_csv}\n---\n{got_csv}", file=sys.stderr)
            return 1
        sites = got_csv.count("\n") - 1
        print(f"local_run: the rendered manifests ran a census of {sites} sites; its report "
              f"equals census run's", file=sys.stderr)
        return 0
    finally:
        c.close()


if __name__ == "__main__":
    sys.exit(main())
