package bench

import (
	"strings"

	"github.com/relctl/relctl/providers/oci/ocitest"
)

// TokenKind ends the kind of a request to the registry's token endpoint
// (SandboxOptions.Token): Run.Requests counts those as service "token",
// apart from the registry's own.
const TokenKind = " token"

// RegistryKind classes an OCI distribution request by what it touches, so
// that a count shows where the requests per chart go: manifests by tag (the
// one request a no-change plan needs), cosign's signature manifests, blobs,
// uploads.
func RegistryKind(method, path string) string {
	if path == ocitest.TokenPath {
		return method + TokenKind
	}
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return method + " other"
	}
	if rest == "" {
		return method + " ping"
	}
	if i := strings.LastIndex(rest, "/manifests/"); i >= 0 {
		ref := rest[i+len("/manifests/"):]
		switch {
		case strings.HasSuffix(ref, ".sig"):
			return method + " manifest (signature tag)"
		case strings.HasPrefix(ref, "sha256:"):
			return method + " manifest by digest"
		}
		return method + " manifest by tag"
	}
	if strings.Contains(rest, "/blobs/uploads") {
		return method + " blob upload"
	}
	if strings.Contains(rest, "/blobs/") {
		return method + " blob"
	}
	if strings.HasSuffix(rest, "/tags/list") {
		return method + " tags list"
	}
	if strings.Contains(rest, "/referrers/") {
		return method + " referrers"
	}
	return method + " other"
}

// GitHubKind classes a GitHub REST request by endpoint: the path with the
// owner, repository, numeric IDs and tag names replaced by placeholders, as
// GitHub's documentation names them.
func GitHubKind(method, path string) string {
	path = strings.TrimPrefix(path, "/api/v3")
	path = strings.TrimPrefix(path, "/api/uploads")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := 0; i < len(segs); i++ {
		switch {
		case i == 1 && segs[0] == "repos":
			segs[i] = "{owner}"
		case i == 2 && segs[0] == "repos":
			segs[i] = "{repo}"
		case segs[i] != "" && strings.Trim(segs[i], "0123456789") == "":
			segs[i] = "{id}"
		case i > 0 && segs[i-1] == "tags" && segs[0] == "repos":
			// A tag may hold slashes: the rest of the path is the tag.
			segs = append(segs[:i], "{tag}")
		case i > 0 && segs[i-1] == "attestations" && segs[0] == "repos":
			segs[i] = "{subject_digest}"
		case i > 0 && segs[i-1] == "commits" && segs[0] == "repos":
			segs[i] = "{sha}"
		case i > 0 && segs[i-1] == "download":
			segs = append(segs[:i], "{name}")
		}
	}
	return method + " /" + strings.Join(segs, "/")
}
