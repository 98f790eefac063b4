#ifndef CENSUS_FUZZ_CHECKS_H_
#define CENSUS_FUZZ_CHECKS_H_

// The fuzz targets' bodies, shared by the libFuzzer entry points (fuzz_<target>.cc,
// clang -DCENSUS_FUZZ=ON build) and the regression test (regression_test.cc, the normal
// build): each Check<Target> feeds one input to the code under test and checks the
// invariants below. A violation calls the failure handler, which by default prints the
// reason and aborts (so libFuzzer saves the input as a crash); the regression test
// installs a handler that throws instead, to name the file that failed.
//
//   charset  DecodeToUtf8(bytes, content_type): the output is valid UTF-8, the charset
//            is a non-empty lower-case name, the source one of the documented ones; valid
//            UTF-8 read as utf-8 (no header, no BOM) comes out unchanged.
//            Input: "<content type>\n<bytes>" (no newline in the first 256 bytes: no
//            header, all bytes).
//   extract  ExtractPage(bytes, "", base http://www.example.gov.cn/col/a/, as of
//            2026-11-20): fails only with InvalidArgument; item/latest/publication dates
//            are "" or real YYYY-MM-DD days in [1990-01-01, 2027-12-31]; latest_date is
//            the newest item date or the publication date; links and nav columns are
//            http(s) (item hrefs are kept raw when they do not resolve, by design); every
//            string is valid UTF-8; kind is one of list|article|home|mailbox|other;
//            PageExtractToJson is valid JSON.
//   dates    ParseDate(text, as_of): when true the day is within [1990-01-01,
//            as_of.year+1-12-31] (year-less dates: not after as_of), raw is a non-empty
//            substring of text, and parsing raw alone gives the same day. Input: the first
//            byte picks as_of (2026-11-20, unset, or a day derived from the next bytes).
//   csv      ParseCsv / ParseSitesCsv / ParseColumnsCsv: never crash; record line numbers
//            ascend within the file; every error's line is within the file and its file
//            name is the one given; accepted sites have id, name and an http(s) url, ids
//            are unique; accepted columns name a known site; every accepted record and
//            error survives a protobuf round trip (proto3 strings must be UTF-8). Input:
//            "<sites.csv>\0<columns.csv>" (no NUL: sites only).
//   wire_to_coordinator, wire_from_coordinator, wire_to_store, wire_from_store
//            The receive path of every message a role parses off the wire (common/wire.h
//            ParseDealerFrames on the ROUTER side: ToCoordinator at the coordinator,
//            ToStore at a store; ParseRouterFrames on the DEALER side: FromCoordinator at
//            a worker or `census status`, FromStore at a worker, the coordinator or
//            `census aggregate`): only [empty, "census/1", payload] with a payload that
//            parses is accepted; a wrong version is FailedPrecondition with a printable,
//            bounded message, anything else DataLoss, and every error is one WireDrops
//            drops (a role stops serving on any other); the ROUTER side reports frame 0
//            as the identity even for a bad message and agrees with the DEALER side on
//            the rest; an accepted message re-encodes to itself. Input: the frames, each
//            as a length byte L and L bytes; L = 255 makes the rest of the input the last
//            frame (only the first 8 frames are kept, as on the socket).
//   warc     WarcReader over the bytes (a .warc.gz or a plain .warc: interchange/warc.h):
//            never crashes; record offsets ascend and lie in the input; every problem
//            has a documented reason and an offset in the input; every record's version
//            line starts with "WARC/" and its block is as long as its Content-Length; a
//            record serialized and gzipped again reads back the same; ParseHttpMessage
//            on each block fails only with InvalidArgument or DataLoss.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace census::fuzz {

void CheckCharset(const uint8_t* data, size_t size);
void CheckExtract(const uint8_t* data, size_t size);
void CheckDates(const uint8_t* data, size_t size);
void CheckCsv(const uint8_t* data, size_t size);
void CheckWireToCoordinator(const uint8_t* data, size_t size);
void CheckWireFromCoordinator(const uint8_t* data, size_t size);
void CheckWireToStore(const uint8_t* data, size_t size);
void CheckWireFromStore(const uint8_t* data, size_t size);
void CheckWarc(const uint8_t* data, size_t size);

// Called with the target name and what was violated. Must not return normally
// (abort or throw); the default prints to stderr and aborts.
using FailureHandler = void (*)(const char* target, const std::string& what);
void SetFailureHandler(FailureHandler handler);

// Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). On failure
// *bad_offset (if given) is the offset of the first bad byte.
bool IsValidUtf8(absl::string_view s, size_t* bad_offset = nullptr);

// Strict RFC 8259 JSON text (one value, optional surrounding whitespace), strings valid
// UTF-8. On failure *error says where and why.
bool IsValidJson(absl::string_view s, std::string* error);

// The targets by name ("charset", "extract", "dates", "csv", "wire_to_coordinator",
// "wire_from_coordinator", "wire_to_store", "wire_from_store", "warc"); nullptr when
// unknown.
using CheckFn = void (*)(const uint8_t*, size_t);
CheckFn FindCheck(absl::string_view target);

}  // namespace census::fuzz

#endif  // CENSUS_FUZZ_CHECKS_H_
