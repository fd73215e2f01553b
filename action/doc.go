// Package action holds the shell side of relctl's GitHub Action (action.yml
// at the repository root): install.sh, which downloads a prebuilt relctl
// from a GitHub release, checks it against the release's checksums file and
// keeps it in the runner's tool cache.
//
// The package has no Go API. Its tests run install.sh with sh against the
// GitHub emulator (providers/github/githubtest) serving a release, the way a
// runner would run it against github.com or a GitHub Enterprise Server.
package action
