// retort erd and retort history --graph: pictures of the tables (and their keys) and of the
// revision graph, as Mermaid (renders in code review), Graphviz DOT, or SVG drawn by Graphviz.
#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "graph_format.hpp"
#include "retort/revision_graph.hpp"
#include "target.hpp"

namespace po = boost::program_options;

namespace retort::cli {

namespace {

// A Mermaid identifier or type: letters, digits and underscores only.
std::string mermaid_word(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string mermaid_id(const QualifiedName& t) { return mermaid_word(t.schema + "__" + t.name); }

std::string dot_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string qualified(const QualifiedName& t) { return t.schema + "." + t.name; }

// "PK", "FK", "UK" markers of a column.
std::vector<std::string> keys_of(const Table& t, const std::string& column) {
  std::vector<std::string> out;
  auto has = [&](const std::vector<std::string>& cols) {
    return std::find(cols.begin(), cols.end(), column) != cols.end();
  };
  if (t.primary_key && has(t.primary_key->columns)) out.push_back("PK");
  for (const auto& fk : t.foreign_keys)
    if (has(fk.columns)) {
      out.push_back("FK");
      break;
    }
  for (const auto& u : t.uniques)
    if (u.columns.size() == 1 && u.columns[0] == column) {
      out.push_back("UK");
      break;
    }
  return out;
}

std::string erd_mermaid(const Schema& s) {
  std::ostringstream out;
  out << "erDiagram\n";
  for (const auto& [sname, ns] : s.schemas)
    for (const auto& [tname, t] : ns.tables) {
      out << fmt::format("  {}[\"{}.{}\"] {{\n", mermaid_id({sname, tname}), sname, tname);
      for (const auto& c : t.columns) {
        auto keys = keys_of(t, c.name);
        std::string marks;
        for (const auto& k : keys) marks += (marks.empty() ? " " : ", ") + k;
        out << fmt::format("    {} {}{}\n", mermaid_word(c.type), mermaid_word(c.name), marks);
      }
      out << "  }\n";
    }
  for (const auto& [sname, ns] : s.schemas)
    for (const auto& [tname, t] : ns.tables)
      for (const auto& fk : t.foreign_keys) {
        bool optional = false;
        for (const auto& col : fk.columns)
          if (auto c = t.find_column(col); c && c->nullable) optional = true;
        out << fmt::format("  {} }}o--{} {} : \"{}\"\n", mermaid_id({sname, tname}),
                           optional ? "o|" : "||", mermaid_id(fk.ref_table), fk.name);
      }
  return out.str();
}

std::string erd_dot(const Schema& s) {
  std::ostringstream out;
  out << "digraph erd {\n  graph [rankdir=LR];\n  node [shape=plaintext, fontname=\"Helvetica\"];\n"
         "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  for (const auto& [sname, ns] : s.schemas)
    for (const auto& [tname, t] : ns.tables) {
      QualifiedName q{sname, tname};
      out << "  " << dot_quote(qualified(q))
          << " [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\">"
          << fmt::format("<tr><td bgcolor=\"lightgrey\"><b>{}</b></td></tr>", html(qualified(q)));
      for (const auto& c : t.columns) {
        std::string marks;
        for (const auto& k : keys_of(t, c.name)) marks += " " + k;
        out << fmt::format("<tr><td port=\"{}\" align=\"left\">{}: {}{}{}</td></tr>", html(c.name),
                           html(c.name), html(c.type), c.nullable ? "" : " NOT NULL", marks);
      }
      out << "</table>>];\n";
    }
  for (const auto& [sname, ns] : s.schemas)
    for (const auto& [tname, t] : ns.tables)
      for (const auto& fk : t.foreign_keys)
        out << fmt::format("  {}:{} -> {}:{} [label={}];\n", dot_quote(sname + "." + tname),
                           dot_quote(fk.columns.front()), dot_quote(qualified(fk.ref_table)),
                           dot_quote(fk.ref_columns.front()), dot_quote(fk.name));
  out << "}\n";
  return out.str();
}

}  // namespace

std::string history_mermaid(const RevisionGraph& graph) {
  std::ostringstream out;
  out << "flowchart BT\n";
  for (const auto& id : graph.ordered()) {
    const auto& r = graph.at(id);
    std::string message;
    for (char c : r.message) message += c == '"' ? '\'' : c;
    out << fmt::format("  r{}[\"{}: {}\"]\n", mermaid_word(id), id, message);
    for (const auto& parent : r.down_revisions)
      out << fmt::format("  r{} --> r{}\n", mermaid_word(parent), mermaid_word(id));
  }
  return out.str();
}

std::string history_dot(const RevisionGraph& graph) {
  std::ostringstream out;
  out << "digraph history {\n  graph [rankdir=BT];\n  node [shape=box, fontname=\"Helvetica\"];\n";
  for (const auto& id : graph.ordered()) {
    const auto& r = graph.at(id);
    out << fmt::format("  {} [label={}];\n", dot_quote(id), dot_quote(id + "\n" + r.message));
    for (const auto& parent : r.down_revisions)
      out << fmt::format("  {} -> {};\n", dot_quote(parent), dot_quote(id));
  }
  out << "}\n";
  return out.str();
}

void print_graph(const std::string& format, const std::string& mermaid_text,
                 const std::string& dot_text) {
  if (format == "mermaid") {
    std::cout << mermaid_text;
  } else if (format == "dot") {
    std::cout << dot_text;
  } else if (format == "svg") {
    std::cout.flush();
    FILE* dot = popen("dot -Tsvg", "w");
    if (!dot) throw std::runtime_error("cannot start Graphviz's dot");
    std::fwrite(dot_text.data(), 1, dot_text.size(), dot);
    int status = pclose(dot);
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
      throw std::runtime_error(
          "--format svg needs Graphviz's dot: install Debian's graphviz package "
          "(scripts/install-deps.sh)");
    if (WEXITSTATUS(status) != 0)
      throw std::runtime_error(fmt::format("Graphviz's dot failed (exit {})", WEXITSTATUS(status)));
  } else {
    throw UsageError("--format must be mermaid, dot or svg, not \"" + format + "\"");
  }
}

int cmd_erd(const GlobalOptions& g, const Args& args) {
  po::options_description desc("retort erd [--format mermaid|dot|svg] [--target T]");
  desc.add_options()("format", po::value<std::string>()->default_value("mermaid"),
                     "mermaid, dot or svg (drawn by Graphviz)")(
      "target", po::value<std::string>()->default_value("models"),
      "models, a snapshot .json or a database URL");
  auto vm = parse(args, desc);
  auto format = vm["format"].as<std::string>();
  if (format != "mermaid" && format != "dot" && format != "svg")
    throw UsageError("--format must be mermaid, dot or svg, not \"" + format + "\"");
  auto schema = load_target(g, vm["target"].as<std::string>());
  print_graph(format, erd_mermaid(schema), erd_dot(schema));
  return 0;
}

}  // namespace retort::cli
