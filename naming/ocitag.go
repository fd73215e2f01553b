package naming

import "strings"

// OCITag is the OCI tag of a chart version. OCI tags cannot hold "+", so
// helm pushes semver build metadata with "_" instead (helm v3 pkg/registry
// reference.go); relctl does the same so that `helm pull --version
// 1.2.3+build.1` finds what relctl pushed, and release notes print the tag
// the registry holds.
func OCITag(version string) string {
	return strings.ReplaceAll(version, "+", "_")
}
