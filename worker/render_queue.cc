// RenderQueue: one PageRenderer on a thread of its own (worker/renderer.h).

#include <sys/eventfd.h>
#include <unistd.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "worker/renderer.h"

namespace census {

RenderQueue::RenderQueue(RendererOptions options) : options_(std::move(options)) {
  notify_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { Loop(); });
}

RenderQueue::~RenderQueue() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (notify_fd_ >= 0) close(notify_fd_);
}

bool RenderQueue::Submit(uint64_t tag, RenderRequest request) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || pending_ >= static_cast<size_t>(std::max(1, options_.max_queue))) {
      return false;
    }
    ++pending_;
    queue_.emplace_back(tag, std::move(request));
  }
  cv_.notify_one();
  return true;
}

std::vector<std::pair<uint64_t, absl::StatusOr<RenderedPage>>> RenderQueue::TakeFinished() {
  std::vector<std::pair<uint64_t, absl::StatusOr<RenderedPage>>> out;
  std::lock_guard<std::mutex> lock(mu_);
  if (notify_fd_ >= 0) {
    uint64_t count = 0;
    (void)!read(notify_fd_, &count, sizeof(count));  // EAGAIN when nothing was signalled
  }
  out.swap(finished_);
  pending_ -= out.size();
  return out;
}

size_t RenderQueue::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

RendererStats RenderQueue::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void RenderQueue::Loop() {
  std::unique_ptr<PageRenderer> renderer;  // lives and dies on this thread
  absl::Status start_error;                // why Chromium could not start, once known
  while (true) {
    std::pair<uint64_t, RenderRequest> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (renderer == nullptr && start_error.ok()) {
      auto started = PageRenderer::Start(options_);
      if (started.ok()) {
        renderer = std::move(*started);
      } else {
        start_error = absl::FailedPreconditionError(
            absl::StrCat("renderer unavailable: ", started.status().ToString()));
      }
    }
    absl::StatusOr<RenderedPage> result = renderer != nullptr
                                              ? renderer->Render(job.second)
                                              : absl::StatusOr<RenderedPage>(start_error);
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished_.emplace_back(job.first, std::move(result));
      if (renderer != nullptr) stats_ = renderer->stats();
    }
    if (notify_fd_ >= 0) {
      const uint64_t one = 1;
      (void)!write(notify_fd_, &one, sizeof(one));
    }
  }
}

}  // namespace census
