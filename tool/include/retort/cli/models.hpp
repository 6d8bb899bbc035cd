// The application's entry point into retort: the library named by retort_add_cli(... MODELS
// <target>) defines it, at global scope, returning the models the CLI is built with.
//
//   #include <retort/cli/models.hpp>
//   retort::ModelSet retort_models() {
//     retort::ModelSet m;
//     m.table<Member>("members").column(&Member::id, "id", retort::primary_key);
//     return m;
//   }
#pragma once

#include "retort/model.hpp"

retort::ModelSet retort_models();
