// Reads a WARC file with warcio.js (an independent implementation of ISO 28500) and
// prints one JSON object a line per record: its type, target URI, date, ids, HTTP
// status, the payload digest its header claims and the SHA-1 (base32) of the payload
// warcio read, so that tests/e2e_warc_test.cc can check census export-warc's output
// against a reader it did not write. Usage: node read_warc.mjs FILE.warc.gz
import { createHash } from "node:crypto";
import fs from "node:fs";
import { WARCParser } from "warcio";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32(bytes) {
  let out = "", buffer = 0, bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  while (out.length % 8) out += "=";
  return out;
}

const parser = new WARCParser(fs.createReadStream(process.argv[2]));
for await (const record of parser) {
  // The payload: the block after the HTTP headers for request/response/revisit, as
  // sent (no content coding undone: census writes none).
  const payload = await record.readFully(false);
  // statusCode is NaN for a request (its start line has a method, not a status).
  const status = record.warcType === "request" ? 0 : Number(record.httpHeaders?.statusCode ?? 0);
  const sha1 = "sha1:" + base32(createHash("sha1").update(payload).digest());
  console.log(JSON.stringify({
    type: record.warcType,
    uri: record.warcTargetURI ?? "",
    date: record.warcDate ?? "",
    id: record.warcHeader("WARC-Record-ID") ?? "",
    concurrent_to: record.warcHeader("WARC-Concurrent-To") ?? "",
    refers_to: record.warcHeader("WARC-Refers-To") ?? "",
    profile: record.warcHeader("WARC-Profile") ?? "",
    status: Number.isFinite(status) ? status : 0,
    payload_digest: record.warcPayloadDigest ?? "",
    block_digest: record.warcHeader("WARC-Block-Digest") ?? "",
    payload_sha1: sha1,
    payload_length: payload.length,
  }));
}
