#include "storage/body_codec.h"

#include <zstd.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace census {
namespace body_codec {
namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

absl::Status ZstdError(absl::string_view what, size_t code) {
  return absl::InternalError(absl::StrCat("zstd ", what, ": ", ZSTD_getErrorName(code)));
}

// zstd's window-log limits (ZSTD_WINDOWLOG_MIN/MAX sit behind ZSTD_STATIC_LINKING_ONLY).
constexpr int kMinWindowLog = 10;
constexpr int kMaxWindowLog = sizeof(size_t) == 4 ? 30 : 31;

// Smallest window log covering `bytes`: the prefix must stay inside the window.
int WindowLogFor(size_t bytes) {
  int log = kMinWindowLog;
  while (log < kMaxWindowLog && (size_t{1} << log) < bytes) ++log;
  return log;
}

// Window logs above this need the decoder's limit raised (see Decode).
constexpr int kLongDistanceFromLog = 27;

absl::StatusOr<std::string> Encode(absl::string_view body, absl::string_view base, int level) {
  std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  if (!cctx) return absl::ResourceExhaustedError("zstd: cannot create context");
  size_t r = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, level);
  if (ZSTD_isError(r)) return ZstdError("level", r);
  r = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  if (ZSTD_isError(r)) return ZstdError("checksum", r);
  if (!base.empty()) {
    const int window_log = WindowLogFor(base.size() + body.size());
    r = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_windowLog, window_log);
    if (ZSTD_isError(r)) return ZstdError("windowLog", r);
    if (window_log > kLongDistanceFromLog) {
      r = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_enableLongDistanceMatching, 1);
      if (ZSTD_isError(r)) return ZstdError("long distance matching", r);
    }
    r = ZSTD_CCtx_refPrefix(cctx.get(), base.data(), base.size());
    if (ZSTD_isError(r)) return ZstdError("refPrefix", r);
  }
  std::string out(ZSTD_compressBound(body.size()), '\0');
  r = ZSTD_compress2(cctx.get(), out.data(), out.size(), body.data(), body.size());
  if (ZSTD_isError(r)) return ZstdError("compress", r);
  out.resize(r);
  return out;
}

}  // namespace

absl::StatusOr<std::string> EncodeKeyframe(absl::string_view body) {
  return Encode(body, absl::string_view(), kKeyframeLevel);
}

absl::StatusOr<std::string> EncodeDelta(absl::string_view body, absl::string_view base) {
  return Encode(body, base, kDeltaLevel);
}

absl::StatusOr<std::string> Decode(absl::string_view data, absl::string_view base,
                                   int64_t raw_bytes) {
  unsigned long long content_size = ZSTD_getFrameContentSize(data.data(), data.size());
  if (content_size == ZSTD_CONTENTSIZE_ERROR) {
    return absl::DataLossError("zstd: not a zstd frame");
  }
  if (content_size == ZSTD_CONTENTSIZE_UNKNOWN) {
    if (raw_bytes < 0) return absl::DataLossError("zstd: unknown content size");
    content_size = static_cast<unsigned long long>(raw_bytes);
  }
  if (raw_bytes >= 0 && content_size != static_cast<unsigned long long>(raw_bytes)) {
    return absl::DataLossError(
        absl::StrCat("zstd: frame holds ", content_size, " bytes, record says ", raw_bytes));
  }
  std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  if (!dctx) return absl::ResourceExhaustedError("zstd: cannot create context");
  size_t r = ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, kMaxWindowLog);
  if (ZSTD_isError(r)) return ZstdError("windowLogMax", r);
  if (!base.empty()) {
    r = ZSTD_DCtx_refPrefix(dctx.get(), base.data(), base.size());
    if (ZSTD_isError(r)) return ZstdError("refPrefix", r);
  }
  std::string out(content_size, '\0');
  r = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), data.data(), data.size());
  if (ZSTD_isError(r)) return ZstdError("decompress", r);
  if (r != out.size()) return absl::DataLossError("zstd: short body");
  return out;
}

}  // namespace body_codec
}  // namespace census
