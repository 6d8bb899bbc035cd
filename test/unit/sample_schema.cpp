#include "sample_schema.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace {

using Timestamp = std::chrono::system_clock::time_point;

enum class BookFormat { hardcover, paperback, ebook };
enum class LoanState { open, returned, lost };

struct Author {
  std::int64_t id;
  std::string name;
  std::optional<std::string> email;
  Timestamp joined_at;
};

struct Book {
  std::int32_t id;
  std::int64_t author_id;
  std::string title;
  BookFormat format;
  retort::Numeric<8, 2> price;
  bool withdrawn;
};

struct Loan {
  std::int32_t book_id;
  std::int64_t reader_id;
  LoanState state;
  retort::Jsonb details;
  std::optional<Timestamp> due;
};

struct Entry {
  std::int64_t id;
  std::string action;
  std::optional<std::int64_t> author_id;
  std::string summary;
};

}  // namespace

namespace retort::test {

ModelSet sample_models() {
  namespace r = retort;
  r::ModelSet m;
  m.enumeration<BookFormat>("book_format", {"hardcover", "paperback", "ebook"});
  m.enumeration<LoanState>("loan_state", {"open", "returned", "lost"});

  m.table<Author>("authors")
      .column(&Author::id, "id", r::primary_key, r::identity())
      .column(&Author::name, "name", r::varchar(100), r::comment("as printed on the cover"))
      .column(&Author::email, "email", r::unique)
      .column(&Author::joined_at, "joined_at", r::server_default("now()"))
      .index(r::index("authors_lower_name_idx").on_expression("lower((name)::text)"))
      .comment("People who write books");

  m.table<Book>("books")
      .column(&Book::id, "id", r::primary_key, r::identity_always())
      .column(&Book::author_id, "author_id",
              r::references("authors", {"id"}).on_delete_do(r::FkAction::cascade))
      .column(&Book::title, "title")
      .column(&Book::format, "format", r::server_default("'paperback'"))
      .column(&Book::price, "price", r::server_default("0"), r::check("books_price", "price >= 0"))
      .column(&Book::withdrawn, "withdrawn", r::server_default("false"))
      .unique({"author_id", "title"})
      .index(r::index("books_by_author_idx")
                 .on("author_id")
                 .on("title")
                 .desc()
                 .include("price")
                 .where("NOT withdrawn"));

  m.table<Loan>("loans")
      .column(&Loan::book_id, "book_id")
      .column(&Loan::reader_id, "reader_id")
      .column(&Loan::state, "state")
      .column(&Loan::details, "details", r::server_default("'{}'::jsonb"))
      .column(&Loan::due, "due")
      .primary_key({"book_id", "reader_id"})
      .foreign_key({"book_id"}, r::references("books", {"id"})
                                    .on_delete_do(r::FkAction::restrict)
                                    .deferred()
                                    .named("loans_book_fkey"))
      .index(r::index("loans_details_idx")
                 .using_method("gin")
                 .on("details")
                 .opclass("jsonb_path_ops"));

  m.in_schema("archive");
  m.table<Entry>("entries")
      .column(&Entry::id, "id", r::primary_key, r::identity())
      .column(&Entry::action, "action")
      .column(&Entry::author_id, "author_id",
              r::references(r::QualifiedName{"public", "authors"}, {"id"})
                  .on_delete_do(r::FkAction::set_null))
      .column(&Entry::summary, "summary",
              r::generated("action || ' by '::text || COALESCE((author_id)::text, 'nobody'::text)"))
      .comment("Kept forever");
  return m;
}

}  // namespace retort::test
