// Package helm loads Helm charts from their folders and packages them
// reproducibly, on the helm v3 SDK.
//
// It owns three things: loading a chart the way helm does (.helmignore,
// vendored dependencies under charts/) plus the checks relctl adds before
// publishing (no symlink leaving the chart folder, every declared dependency
// vendored, name and version as declared); writing the package archive with
// exactly the layout of helm's chartutil.Save but with a fixed time in every
// tar entry, so the same chart files give the same bytes on any machine at
// any time; and the content digest, which identifies a chart archive by its
// files alone, whoever packaged it.
//
// It also derives what helm's registry client would push beside the archive:
// the OCI config blob and the manifest annotations.
//
// It resolves declared dependencies as `helm dependency update` would
// (deps.go: http(s) index.yaml, oci:// tags through an OCIPuller, file://
// folders, @name from repositories.yaml, charts already vendored, charts of
// the same spec), embeds them under charts/ with the Chart.lock of what the
// package holds, and caches indexes and archives under Options.CacheDir. A
// dependency problem does not fail the run: the package comes back
// Blocked, with the reason. It never writes into the chart folder; it
// reaches registries only through the OCIPuller it is given. The only
// process it starts is `git log`, to read the chart folder's last commit
// time.
package helm
