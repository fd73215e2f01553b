// Package githubtest is a stateful, in-memory emulator of the subset of the
// GitHub REST API that relctl uses: releases, release assets (upload,
// download, rename, delete), git references, annotated tag objects, the Git
// Data API's blobs, trees and commits, the
// "commits/{sha}/pulls" and "attestations" lookups, and just enough of
// labels to replay GitHub's 422 validation shape.
//
// It owns the behaviour relctl depends on and that a naive fake gets wrong,
// each taken from recorded GitHub traffic (testdata/fixtures, from
// octokit/fixtures) or from the facts collected in NOTES.md:
//
//   - drafts are listed but hidden from "releases/tags/{tag}"; several drafts
//     may share a tag; a second published release for a tag is 422
//     already_exists; a draft's URLs say "untagged-<hex>";
//   - a duplicate asset name is 422 already_exists; assets carry state,
//     size and a "sha256:<hex>" digest; names are normalised;
//   - immutable releases refuse asset changes once published;
//   - publishing a release creates refs/tags/<tag> at target_commitish
//     unless the tag exists, and deleting the release leaves the tag;
//     a missing ref is 422 "Reference does not exist" on update and delete;
//   - blobs, trees and commits are named with git's SHA-1, as GitHub names
//     them; a ref update without force that is not a fast-forward is 422
//     "Update is not a fast forward", and requests are handled one at a
//     time, so concurrent writers of one ref see exactly one winner;
//   - Link-header pagination, ETag / If-None-Match (304), rate-limit headers;
//   - the API is also served under /api/v3/ and uploads under /api/uploads/,
//     the GitHub Enterprise Server layout that go-github's WithEnterpriseURLs
//     produces.
//
// Tests use it to seed and inspect state, read the request log, and inject
// faults (error statuses, delays, and "processed, then connection dropped",
// the ambiguous failure a safe-to-repeat apply must survive). The same
// emulator backs "relctl sandbox" and "relctl demo".
//
// The emulator never talks to the network beyond the listener it is given,
// never persists state, and models git's object graph only for the objects
// made through the API: other shas that refs and tags point at stand for
// commits with unknown content and history, and any question about their
// ancestry is answered permissively.
package githubtest
