package state

// ReleaseSpec is what a release should look like: the input of create and
// update. It lives here, beside Release, because both the GitHub provider and
// the planner speak it.
type ReleaseSpec struct {
	TagName string
	// TargetCommitish is the commit the tag is created at on publish; GitHub
	// uses it only when the tag does not exist yet.
	TargetCommitish string
	Name            string
	Body            string
	Draft           bool
	Prerelease      bool
	// MakeLatest is "true", "false" or "legacy"; empty leaves GitHub's
	// default. Drafts and prereleases are never latest.
	MakeLatest string
}

// BlobSignature is a cosign signature over a file's bytes, as `cosign
// sign-blob` writes it.
type BlobSignature struct {
	// Signature is the base64 signature (the .sig file's content).
	Signature []byte
	// Certificate is the PEM signing certificate (keyless mode), nil for
	// key mode.
	Certificate []byte
	// Bundle is the Sigstore bundle of the same signing (the
	// .tgz.sigstore.json file `cosign verify-blob --bundle` reads), nil
	// unless signing.format writes bundles. With format "bundle" alone it is
	// all there is: Signature and Certificate are then nil.
	Bundle []byte
}

// Issue is a GitHub issue relctl keeps: the drift report.
type Issue struct {
	Number int
	URL    string
	Body   string
}

// Comment is a comment on an issue or pull request.
type Comment struct {
	ID   int64
	Body string
	// Author is the login that wrote it; "" for a deleted account.
	Author string
}
