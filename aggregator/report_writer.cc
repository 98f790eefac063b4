// Writing the report files and the region pages as the sites stream out of the aggregator.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "aggregator/aggregator.h"
#include "aggregator/internal/report_parts.h"
#include "common/status_macros.h"

namespace census {

namespace fs = std::filesystem;

namespace {
// The region pages are written into this folder beside the reports, renamed to
// "regions" by Finish.
constexpr char kRegionsPartial[] = "regions.partial";
}  // namespace

// One output file, written through a large buffer (report.json alone is gigabytes at
// national scale: few, large write calls); a failed write is remembered and reported (with
// the path and errno's reason) when the file is closed, so callers check once.
class ReportWriter::File {
 public:
  explicit File(fs::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) error_ = errno != 0 ? errno : EIO;
  }
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  bool is_open() const { return fd_ >= 0; }
  const fs::path& path() const { return path_; }

  void Write(absl::string_view text) {
    if (error_ != 0) return;
    if (buffer_.size() + text.size() > kBufferSize) {
      Flush();
      if (text.size() >= kBufferSize) {  // a large piece goes out as it is
        WriteAll(text);
        return;
      }
    }
    if (buffer_.capacity() < kBufferSize) buffer_.reserve(kBufferSize);
    buffer_.append(text.data(), text.size());
  }
  // Appends `length` bytes of the file open as `from` starting at `offset`: inside the
  // kernel (copy_file_range: one copy from page cache to page cache, none through this
  // process), else through the buffer (file systems that refuse it: EXDEV, EINVAL, ...).
  void CopyRange(int from, uint64_t offset, uint64_t length) {
    if (error_ != 0) return;
    Flush();
    while (length > 0 && error_ == 0 && copy_in_kernel_) {
      loff_t in = static_cast<loff_t>(offset);
      const ssize_t n = ::copy_file_range(from, &in, fd_, nullptr, length, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
                    errno == EBADF)) {
        copy_in_kernel_ = false;  // the fallback below
        break;
      }
      if (n <= 0) {
        error_ = n < 0 ? errno : EIO;
        return;
      }
      offset += static_cast<uint64_t>(n);
      length -= static_cast<uint64_t>(n);
    }
    if (length == 0) return;
    buffer_.resize(std::min<uint64_t>(length, kBufferSize));
    while (length > 0 && error_ == 0) {
      const ssize_t n = ::pread(from, buffer_.data(), std::min<uint64_t>(length, buffer_.size()),
                                static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = n < 0 ? errno : EIO;
        break;
      }
      WriteAll(absl::string_view(buffer_.data(), static_cast<size_t>(n)));
      offset += static_cast<uint64_t>(n);
      length -= static_cast<uint64_t>(n);
    }
    buffer_.clear();
  }
  absl::Status Close() {
    if (fd_ < 0 && error_ == 0) return absl::OkStatus();
    Flush();
    if (fd_ >= 0) {
      if (::close(fd_) != 0 && error_ == 0) error_ = errno;
      fd_ = -1;
    }
    if (error_ != 0) {
      // ENOSPC on a full disk: say so, for the person who has to make room.
      return absl::DataLossError(absl::StrCat(
          "cannot write ", path_.string(), ": ", std::strerror(error_),
          error_ == ENOSPC ? " (the disk is full: no report was put under its final name)" : ""));
    }
    return absl::OkStatus();
  }

 private:
  void Flush() {
    if (!buffer_.empty() && error_ == 0) WriteAll(buffer_);
    buffer_.clear();
  }
  void WriteAll(absl::string_view text) {
    if (fd_ < 0) {
      if (error_ == 0) error_ = EBADF;
      return;
    }
    while (!text.empty() && error_ == 0) {
      const ssize_t n = ::write(fd_, text.data(), text.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error_ = n < 0 ? errno : EIO;
        break;
      }
      text.remove_prefix(static_cast<size_t>(n));
    }
  }

  static constexpr size_t kBufferSize = 1 << 20;
  fs::path path_;
  int fd_ = -1;
  std::string buffer_;
  int error_ = 0;  // the first errno of a failed open or write, 0 while none
  bool copy_in_kernel_ = true;
};

ReportWriter::ReportWriter(fs::path dir, const std::string& as_of)
    : dir_(std::move(dir)), html_(std::make_unique<report_parts::HtmlNotice>(as_of)) {}

ReportWriter::~ReportWriter() {
  if (finished_) return;
  // An unfinished report is no report: leave the folder as it was.
  for (File* file : {json_.get(), csv_.get(), html_sections_.get(), jsonl_.get()}) {
    if (file == nullptr) continue;
    (void)file->Close();
    std::error_code ec;
    fs::remove(file->path(), ec);
  }
  std::error_code ec;
  fs::remove_all(dir_ / kRegionsPartial, ec);
}

absl::Status ReportWriter::WriteRegionPages(const report::CensusSummary& census) {
  const fs::path partial = dir_ / kRegionsPartial;
  std::error_code ec;
  fs::remove_all(partial, ec);  // a crashed writer's
  fs::create_directories(partial, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create ", partial.string(), ": ", ec.message()));
  }
  const int sections = ::open(html_sections_->path().c_str(), O_RDONLY | O_CLOEXEC);
  if (sections < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot read ", html_sections_->path().string(), ": ", std::strerror(errno)));
  }
  absl::Cleanup close_sections = [sections] { ::close(sections); };
  constexpr size_t kPerPage = report_parts::HtmlNotice::kRegionSitesPerPage;
  static const std::vector<std::pair<uint64_t, uint64_t>> kNoSections;
  // One region's pages (and its failed-sites page); reads only what Add left behind, so
  // regions are written on two threads (at national scale the pages are ~1.7 GB copied
  // in the kernel: a serial second of Finish per GB).
  auto write_region = [&](const std::string& region) -> absl::Status {
    auto found = region_sections_.find(region);
    const std::vector<std::pair<uint64_t, uint64_t>>& ranges =
        found != region_sections_.end() ? found->second : kNoSections;
    const std::string slug = RegionSlug(region);
    for (int p = 0; p < html_->RegionPages(region); ++p) {
      File page(partial / RegionPageFile(slug, p));
      if (!page.is_open()) {
        return absl::UnavailableError(absl::StrCat("cannot open ", page.path().string()));
      }
      page.Write(html_->RegionHead(region, census, p));
      const size_t first = static_cast<size_t>(p) * kPerPage;
      for (size_t i = first; i < ranges.size() && i < first + kPerPage; ++i) {
        const auto [offset, length] = ranges[i];
        if (sections_in_file_) {
          page.CopyRange(sections, offset, length);
          continue;
        }
        // The chunk that holds it: the last that starts at or before it.
        const size_t c = static_cast<size_t>(
            std::upper_bound(chunk_starts_.begin(), chunk_starts_.end(), offset) -
            chunk_starts_.begin() - 1);
        page.Write(absl::string_view(section_chunks_[c]).substr(offset - chunk_starts_[c], length));
      }
      page.Write(html_->RegionTail(region, p));
      RETURN_IF_ERROR(page.Close());
    }
    if (std::string failed = html_->RegionFailedPage(region, census); !failed.empty()) {
      File page(partial / RegionFailedFile(slug));
      page.Write(failed);
      RETURN_IF_ERROR(page.Close());
    }
    return absl::OkStatus();
  };
  const std::vector<std::string> regions = html_->Regions();
  // Thread t writes regions t, t + 2, ...; each stops at its first error.
  absl::Status statuses[2];
  auto write_every_other = [&](size_t t) {
    for (size_t i = t; i < regions.size() && statuses[t].ok(); i += 2) {
      statuses[t] = write_region(regions[i]);
    }
  };
  std::thread second(write_every_other, 1);
  write_every_other(0);
  second.join();
  return statuses[0].ok() ? statuses[1] : statuses[0];
}

absl::Status ReportWriter::RenameRegionPages() {
  // A directory is not renamed over a non-empty one: the previous pages step aside
  // first, so no page of another census stays beside this one's.
  const fs::path regions = dir_ / "regions", previous = dir_ / "regions.previous";
  std::error_code ec;
  fs::remove_all(previous, ec);
  if (fs::exists(regions, ec)) {
    fs::rename(regions, previous, ec);
    if (ec) {
      return absl::UnavailableError(absl::StrCat("cannot rename ", regions.string(), " to ",
                                                 previous.string(), ": ", ec.message()));
    }
  }
  fs::rename(dir_ / kRegionsPartial, regions, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", (dir_ / kRegionsPartial).string(),
                                               " to ", regions.string(), ": ", ec.message()));
  }
  fs::remove_all(previous, ec);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ReportWriter>> ReportWriter::Open(const std::string& out_dir,
                                                                 const std::string& as_of) {
  fs::path dir(out_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));
  }
  if (!fs::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(dir.string(), " is not a directory"));
  }
  std::unique_ptr<ReportWriter> writer(new ReportWriter(dir, as_of));
  // report.json's sites go straight into the file that becomes report.json, the census
  // summary after them (Finish): every byte is written once.
  writer->json_ = std::make_unique<File>(dir / "report.json.partial");
  writer->csv_ = std::make_unique<File>(dir / "report.csv.partial");
  writer->html_sections_ = std::make_unique<File>(dir / "report.html.sites.partial");
  writer->jsonl_ = std::make_unique<File>(dir / "report.jsonl.partial");
  for (File* file : {writer->json_.get(), writer->csv_.get(), writer->html_sections_.get(),
                     writer->jsonl_.get()}) {
    if (!file->is_open()) {
      return absl::UnavailableError(absl::StrCat("cannot open ", file->path().string()));
    }
  }
  writer->json_->Write(report_parts::JsonHead());
  writer->csv_->Write(report_parts::CsvHead());
  return writer;
}

absl::Status ReportWriter::Render(const report::SiteReport& site, int64_t index,
                                  RenderedSite* out) {
  out->index = index;
  // Appended into the strings of the site rendered before in this slot: their capacity
  // is reused (a site's JSON is tens of KB; growing a fresh string was a copy per doubling).
  out->jsonl.clear();
  RETURN_IF_ERROR(report_parts::AppendJsonSiteLine(site, &out->jsonl));
  out->csv = report_parts::CsvRow(site);
  out->html.clear();
  report_parts::HtmlNotice::Section(site, index + 1, &out->html);
  return absl::OkStatus();
}

absl::Status ReportWriter::Add(const report::SiteReport& site) {
  RETURN_IF_ERROR(Render(site, sites_, &rendered_));
  return Add(site, rendered_);
}

absl::Status ReportWriter::Add(const report::SiteReport& site, const RenderedSite& rendered) {
  if (finished_) return absl::FailedPreconditionError("report already finished");
  if (rendered.index != sites_) {
    return absl::FailedPreconditionError(absl::StrCat("site ", site.site_id(), " rendered as #",
                                                      rendered.index, ", added as #", sites_));
  }
  // report.json's element is report.jsonl's line (JsonSite == separator + line).
  json_->Write(report_parts::JsonSiteSeparator(sites_ == 0));
  json_->Write(absl::string_view(rendered.jsonl).substr(0, rendered.jsonl.size() - 1));
  jsonl_->Write(rendered.jsonl);
  csv_->Write(rendered.csv);
  html_->Count(site);
  // report.html holds the sections of a small census (kInlineSitesUpTo): kept in memory
  // until Finish writes report.html whole, dropped when the census grows past it.
  if (html_->SitesInline()) {
    inline_sections_.append(rendered.html);
  } else if (!inline_sections_.empty()) {
    std::string().swap(inline_sections_);
  }
  // Where the section is, for its region's pages (one range a site: a region's sites
  // are cut into pages of kRegionSitesPerPage).
  region_sections_[site.region()].emplace_back(sections_bytes_, rendered.html.size());
  KeepSection(rendered.html);
  sections_bytes_ += rendered.html.size();
  ++sites_;
  return absl::OkStatus();
}

void ReportWriter::KeepSection(absl::string_view section) {
  if (!sections_in_file_ && sections_bytes_ + section.size() > sections_in_memory_up_to_) {
    // Past the budget: every section goes to the side file, those kept so far first (the
    // file's offsets are the sections' offsets).
    for (std::string& chunk : section_chunks_) {
      html_sections_->Write(chunk);
      std::string().swap(chunk);
    }
    section_chunks_.clear();
    chunk_starts_.clear();
    sections_in_file_ = true;
  }
  if (sections_in_file_) {
    html_sections_->Write(section);
    return;
  }
  if (section_chunks_.empty() ||
      section_chunks_.back().size() + section.size() > section_chunks_.back().capacity()) {
    section_chunks_.emplace_back();
    section_chunks_.back().reserve(std::max(section_chunk_bytes_, section.size()));
    chunk_starts_.push_back(sections_bytes_);
  }
  section_chunks_.back().append(section.data(), section.size());
}

absl::Status ReportWriter::Finish(const report::CensusSummary& census) {
  if (finished_) return absl::FailedPreconditionError("report already finished");
  ASSIGN_OR_RETURN(std::string json_tail, report_parts::JsonTail(&census, sites_ > 0));
  json_->Write(json_tail);
  RETURN_IF_ERROR(json_->Close());
  RETURN_IF_ERROR(csv_->Close());
  RETURN_IF_ERROR(html_sections_->Close());
  RETURN_IF_ERROR(jsonl_->Close());

  // Each whole file is written beside its final name and renamed over it, so a reader
  // never sees half a report.
  File html(dir_ / "report.html.partial");
  html.Write(html_->Head(census));
  if (html_->SitesInline()) html.Write(inline_sections_);
  html.Write(html_->Tail(census));
  absl::Status written = WriteRegionPages(census);
  if (absl::Status status = html.Close(); !status.ok() && written.ok()) written = status;
  if (!written.ok()) {
    std::error_code ec;
    fs::remove(html.path(), ec);
    fs::remove_all(dir_ / kRegionsPartial, ec);
    return written;
  }

  auto rename = [](const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot rename ", from.string(), " to ", to.string(), ": ", ec.message()));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(rename(json_->path(), dir_ / "report.json"));
  RETURN_IF_ERROR(rename(csv_->path(), dir_ / "report.csv"));
  RETURN_IF_ERROR(rename(jsonl_->path(), dir_ / "report.jsonl"));
  // The pages before the summary that links them.
  RETURN_IF_ERROR(RenameRegionPages());
  RETURN_IF_ERROR(rename(html.path(), dir_ / "report.html"));
  std::error_code ec;
  fs::remove(html_sections_->path(), ec);
  finished_ = true;
  return absl::OkStatus();
}

absl::Status WriteReports(const report::CensusReport& report, const std::string& out_dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<ReportWriter> writer,
                   ReportWriter::Open(out_dir, report.census().as_of()));
  for (const report::SiteReport& site : report.sites()) RETURN_IF_ERROR(writer->Add(site));
  return writer->Finish(report.census());
}

}  // namespace census
