// Package config loads and validates a relctl release spec (relctl.hcl) into
// plain Go values. It reads the spec's files and each chart's Chart.yaml, and
// nothing else: it never touches the network, a registry or GitHub.
//
// Problems are reported as hcl.Diagnostics that carry the source range of the
// offending block or attribute, so a user sees "relctl.hcl:12,3-9: ..." with a
// snippet of the line.
package config
