#include "storage/body_codec.h"

#include <string>

#include "gtest/gtest.h"

namespace census::body_codec {
namespace {

TEST(BodyCodecTest, KeyframeRoundTrip) {
  const std::string body(10000, 'x');
  auto frame = EncodeKeyframe(body);
  ASSERT_TRUE(frame.ok());
  EXPECT_LT(frame->size(), 100u);
  auto back = Decode(*frame, "", 10000);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, body);
}

TEST(BodyCodecTest, DeltaNeedsItsBase) {
  std::string base;
  for (int i = 0; i < 5000; ++i) base += std::to_string(i * 7919 % 10007) + ",";
  std::string body = base;
  body.insert(100, "<new item>");
  auto delta = EncodeDelta(body, base);
  ASSERT_TRUE(delta.ok());
  EXPECT_LT(delta->size(), 100u);
  auto back = Decode(*delta, base, static_cast<int64_t>(body.size()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, body);
  // Without (or with a wrong) base the frame does not decode to the body.
  auto wrong = Decode(*delta, "", static_cast<int64_t>(body.size()));
  EXPECT_FALSE(wrong.ok() && *wrong == body);
}

TEST(BodyCodecTest, EmptyBodyAndCorruptData) {
  auto frame = EncodeKeyframe("");
  ASSERT_TRUE(frame.ok());
  auto back = Decode(*frame, "", 0);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "");
  EXPECT_EQ(Decode("garbage!", "", 5).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Decode(*frame, "", 3).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace census::body_codec
