#ifndef CENSUS_WORKER_INTERNAL_PAGE_EXTRAS_H_
#define CENSUS_WORKER_INTERNAL_PAGE_EXTRAS_H_

// List-page extras: the pager's next page and mailbox (信箱/留言) messages.

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "proto/census.pb.h"
#include "worker/internal/html_dom.h"
#include "worker/internal/url_resolver.h"

namespace census {
namespace internal {

// The next list page: a static pager link (下一页, 下页, 后一页, next, ">",
// "›"), else a CMS script pager call — TRS
// createPageHTML('div', total, current(1-based), 'name', 'ext', records) and
// createPageHTML(total, current(0-based), 'name', 'ext') — whose page n is
// name_n.ext in the same folder. "" when there is none (or this is the last
// page). Scripts and comments are searched for the call.
std::string NextPageUrl(const xmlNode* root, UrlResolver* urls);

// Mailbox messages: rows (tr, li, div/dl blocks) holding one letter link and a
// reply status (已回复/已办结/已答复 → answered; 未回复/办理中/待回复/未办结 →
// not answered) and/or labelled dates (提交/留言/来信 时间 → submitted;
// 回复/答复 时间 → replied). Unlabelled dates in a table take their column's
// header; otherwise the first is the submission, a second the reply.
// Cheap test on the page text: a status keyword or a submission-date label.
bool MayHoldMailbox(absl::string_view text);

std::vector<MailboxMessage> MailboxMessages(const xmlNode* root, UrlResolver* urls,
                                            absl::CivilDay as_of);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_PAGE_EXTRAS_H_
