// Package github is relctl's adapter for GitHub Releases: it lists a
// repository's releases with their assets (drafts included), creates,
// updates, publishes and deletes releases, uploads and deletes assets, and
// hashes assets GitHub has no digest for. It also holds relctl's apply
// lock, a compare-and-swap on a git ref (lock.go). *Client satisfies
// state.ReleaseReader and is what the planner's release writer wraps.
//
// It owns the GitHub quirks that matter for a safe-to-repeat apply: drafts
// are found by listing, never by tag; asset digests are read from the
// "digest" field go-github v62 does not decode; uploads go to the release's
// own upload_url; GitHub Enterprise Server URLs follow go-github's
// WithEnterpriseURLs rule; transient failures (network, 5xx, 429, rate
// limits) are retried with Retry-After and x-ratelimit-reset honoured.
//
// It never retries a create (release or asset) whose outcome is unknown,
// never decides what to create or delete (that is the planner's job),
// never reads the environment (the caller passes the token and URLs), and
// never sends the token anywhere but the configured API and upload hosts.
package github
