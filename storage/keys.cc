#include "storage/keys.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace census::keys {
namespace {
constexpr char kSep = '\0';
}  // namespace

void AppendU64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint64_t DecodeU64(absl::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return v;
}

void AppendU32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

uint32_t DecodeU32(absl::string_view bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4 && i < bytes.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return v;
}

void AppendTime(std::string* out, int64_t ms) {
  AppendU64(out, static_cast<uint64_t>(ms) ^ (uint64_t{1} << 63));
}

int64_t TimeAt(absl::string_view key, size_t suffix_bytes) {
  if (key.size() < 8 + suffix_bytes) return 0;
  uint64_t v = DecodeU64(key.substr(key.size() - suffix_bytes - 8, 8));
  return static_cast<int64_t>(v ^ (uint64_t{1} << 63));
}

std::string PrefixEnd(absl::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;  // empty: no upper bound
}

std::string Site(absl::string_view site_id) { return absl::StrCat(kSitePrefix, site_id); }

std::string LegacyColumns(absl::string_view site_id) { return absl::StrCat("col/", site_id); }

std::string ColumnsPrefix(absl::string_view site_id) {
  std::string k = LegacyColumns(site_id);
  k.push_back(kSep);
  return k;
}

std::string Columns(absl::string_view site_id, int64_t at_ms) {
  std::string k = ColumnsPrefix(site_id);
  AppendTime(&k, at_ms);
  return k;
}

std::string Run(absl::string_view run_id) { return absl::StrCat(kRunPrefix, run_id); }

std::string FetchPrefix(absl::string_view site_id) {
  std::string k = absl::StrCat("fetch/", site_id);
  k.push_back(kSep);
  return k;
}

std::string FetchUrlPrefix(absl::string_view site_id, int kind, absl::string_view url) {
  std::string k = FetchPrefix(site_id);
  absl::StrAppend(&k, absl::StrFormat("%02d", kind));
  k.push_back(kSep);
  absl::StrAppend(&k, url);
  k.push_back(kSep);
  return k;
}

std::string Fetch(absl::string_view site_id, int kind, absl::string_view url, int64_t fetched_at_ms,
                  int32_t probe_index) {
  std::string k = FetchUrlPrefix(site_id, kind, url);
  AppendTime(&k, fetched_at_ms);
  AppendU32(&k, static_cast<uint32_t>(probe_index));
  return k;
}

std::string ObsPrefix(absl::string_view site_id) {
  std::string k = absl::StrCat("obs/", site_id);
  k.push_back(kSep);
  return k;
}

std::string ObsUrlPrefix(absl::string_view site_id, absl::string_view url) {
  std::string k = ObsPrefix(site_id);
  absl::StrAppend(&k, url);
  k.push_back(kSep);
  return k;
}

std::string Obs(absl::string_view site_id, absl::string_view url, int64_t fetched_at_ms) {
  std::string k = ObsUrlPrefix(site_id, url);
  AppendTime(&k, fetched_at_ms);
  return k;
}

std::string LinkUrlPrefix(absl::string_view url) {
  std::string k = absl::StrCat("link/", url);
  k.push_back(kSep);
  return k;
}

std::string Link(absl::string_view url, int64_t fetched_at_ms) {
  std::string k = LinkUrlPrefix(url);
  AppendTime(&k, fetched_at_ms);
  return k;
}

std::string TaskPrefix(absl::string_view run_id) {
  std::string k = absl::StrCat("task/", run_id);
  k.push_back(kSep);
  return k;
}

std::string Task(absl::string_view run_id, absl::string_view site_id, int kind,
                 absl::string_view url, int32_t probe_index) {
  std::string k = TaskPrefix(run_id);
  absl::StrAppend(&k, site_id);
  k.push_back(kSep);
  absl::StrAppend(&k, absl::StrFormat("%02d", kind));
  k.push_back(kSep);
  absl::StrAppend(&k, url);
  k.push_back(kSep);
  AppendU32(&k, static_cast<uint32_t>(probe_index));
  return k;
}

std::string Validators(absl::string_view site_id, absl::string_view url) {
  std::string k = absl::StrCat("val/", site_id);
  k.push_back(kSep);
  absl::StrAppend(&k, url);
  return k;
}

std::string Version(absl::string_view site_id, absl::string_view url) {
  std::string k = absl::StrCat("ver/", site_id);
  k.push_back(kSep);
  absl::StrAppend(&k, url);
  return k;
}

std::string Body(absl::string_view content_hash) { return std::string(content_hash); }

std::string ReextractedPrefix(int32_t version, absl::string_view site_id) {
  std::string k = "xobs/";
  AppendU32(&k, static_cast<uint32_t>(version));
  absl::StrAppend(&k, site_id);
  k.push_back(kSep);
  return k;
}

std::string Reextracted(int32_t version, absl::string_view site_id, absl::string_view url,
                        int64_t fetched_at_ms) {
  std::string k = ReextractedPrefix(version, site_id);
  absl::StrAppend(&k, url);
  k.push_back(kSep);
  AppendTime(&k, fetched_at_ms);
  return k;
}

std::string ReextractDone(absl::string_view run_id, int32_t version, absl::string_view site_id) {
  std::string k = absl::StrCat("xdone/", run_id);
  k.push_back(kSep);
  AppendU32(&k, static_cast<uint32_t>(version));
  absl::StrAppend(&k, site_id);
  return k;
}

}  // namespace census::keys
