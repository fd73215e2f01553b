package github

import (
	"path"
	"strings"

	"github.com/relctl/relctl/naming"
)

// ContentType is the Content-Type an asset is uploaded with, chosen by the
// name's extension. GitHub requires one on every upload and serves the
// asset back with it, so browsers render notes and show signatures as text
// rather than offering a download of "application/octet-stream".
func ContentType(name string) string {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".tar.gz"):
		return "application/gzip"
	case lower == "license" || lower == "copying" || lower == "notice":
		// The files a chart folder ships beside CHANGELOG.md and README.md.
		return "text/plain; charset=utf-8"
	}
	switch path.Ext(lower) {
	case ".tgz", ".gz":
		return "application/gzip"
	case ".json":
		return "application/json"
	case ".md":
		return "text/markdown; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".sig":
		// cosign sign-blob writes the signature as base64 text.
		return "text/plain"
	case ".pem", ".crt", ".cert":
		return "application/x-pem-file"
	case ".prov":
		// Helm provenance files are PGP clear-signed text.
		return "text/plain"
	case ".yaml", ".yml":
		return "application/yaml"
	}
	return "application/octet-stream"
}

// NormalizeAssetName predicts the name GitHub stores for an uploaded asset:
// naming.AssetName, the rule the planner and the emulator use too.
func NormalizeAssetName(name string) string { return naming.AssetName(name) }
