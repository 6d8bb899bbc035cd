// The retort CLI as a library: retort_add_cli() generates a main() that calls run() with the
// application's models, so each application gets a CLI that knows only its own tables.
#pragma once

#include "retort/model.hpp"

namespace retort::cli {

// Which application this CLI was built for.
struct Application {
  const char* name = "retort";     // the executable's target name, e.g. "myapp_retort"
  const char* models_name = "";    // the models target, e.g. "myapp_models"
  ModelSet (*models)() = nullptr;  // retort_models() of that target
};

// Parses argv, runs the command, prints; returns the process exit code (see docs/cli.md).
int run(int argc, char** argv, const Application& app);

}  // namespace retort::cli
