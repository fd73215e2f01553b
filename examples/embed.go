// Package examples embeds the example specs, so that `relctl demo` runs on
// a fresh machine with nothing but the relctl binary.
package examples

import "embed"

// Basic is examples/basic: a spec and three charts, one with a vendored
// dependency.
//
//go:embed all:basic
var Basic embed.FS
