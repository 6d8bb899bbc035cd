// Drawing graphs for erd and history --graph: Mermaid, Graphviz DOT, or SVG through `dot`.
#pragma once

#include <string>

#include "retort/revision_graph.hpp"

namespace retort::cli {

std::string history_mermaid(const RevisionGraph& graph);
std::string history_dot(const RevisionGraph& graph);
// Prints one of the two texts, or the DOT drawn as SVG by Graphviz; format is checked.
void print_graph(const std::string& format, const std::string& mermaid_text,
                 const std::string& dot_text);

}  // namespace retort::cli
