// Package notes renders the body of a chart's GitHub release: title,
// description, the changelog for the version, install and verification
// commands. Rendering is a pure function of Data and a Go text/template, so
// the notes are identical at plan and at apply, and a plan can show the
// exact text a release will get.
//
// It owns the default template, the Keep-a-Changelog section lookup, the
// artifacthub.io/changes fallback, Markdown escaping of chart metadata and
// shell quoting of values in the commands it prints.
//
// It performs no IO: it never reads CHANGELOG.md (the caller passes the
// bytes), never talks to a registry or GitHub, and never sees the manifest
// digest, which does not exist yet at plan time.
package notes
