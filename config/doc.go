// Package config loads and validates a relctl release spec (relctl.hcl) into
// plain Go values. It reads the spec's files and each chart's Chart.yaml, and
// nothing else: it never touches the network, a registry or GitHub.
//
// Problems are reported as hcl.Diagnostics that carry the source range of the
// offending block or attribute, so a user sees "relctl.hcl:12,3-9: ..." with a
// snippet of the line. Loading collects every problem it can find instead of
// stopping at the first, as Terraform does.
//
// The spec language is HCL with Terraform's conventions: variable blocks
// (set by default, RELCTL_VAR_<name>, --var-file and --var, in increasing
// precedence), locals, and go-cty's standard functions under Terraform's
// names plus file() and env(). Only relctl.hcl is read, not every *.hcl in
// its directory. Release tags and titles are evaluated once per chart with a
// `chart` object in scope.
//
// Sensitive values follow Terraform: a variable declared `sensitive = true`
// and whatever env() reads are marked, and cty carries the mark through
// every expression. A marked value may be used in conditions, locals and
// fulcio_url and rekor_url, which plans and diagnostics never show; any other
// attribute refuses it, since its value is published (tags, titles, notes,
// repository names) or printed, unless nonsensitive() says it may be shown.
// Diagnostics never show one: a message that would quote it says
// "(sensitive value)", and the Parser redacts the text of every such value
// from what it writes, as a last line of defence.
//
// Format and FormatDir lay out HCL the way hclwrite does, for `relctl fmt`.
package config
