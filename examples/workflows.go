package examples

import "embed"

// Workflows is examples/workflows: plan on pull requests, apply on the
// release branch, drift on a schedule, each through relctl's GitHub Action.
// relctl init writes them into a repository.
//
//go:embed workflows/*.yaml
var Workflows embed.FS
