package planner

import (
	"context"
	"io"

	"github.com/relctl/relctl/config"
	"github.com/relctl/relctl/state"
)

// RegistryWriter pushes charts. Resolve is the precondition check made right
// before a push.
type RegistryWriter interface {
	Resolve(ctx context.Context, repository, tag string) (string, error)
	Push(ctx context.Context, repository, tag string, pkg *state.Package) (string, error)
}

// Signer signs manifests and blobs. VerifySignatures is the precondition
// check made right before signing, so a re-run never signs twice.
// SignManifest signs in each of formats, which the caller's
// VerifySignatures has just found without a valid signature: it does not
// read them again.
type Signer interface {
	VerifySignatures(ctx context.Context, repository, manifestDigest string) (*state.SignatureState, error)
	SignManifest(ctx context.Context, repository, manifestDigest string, formats ...config.SignatureFormat) error
	SignBlob(ctx context.Context, blob []byte) (*state.BlobSignature, error)
}

// ReleaseWriter creates and completes GitHub releases.
type ReleaseWriter interface {
	ListReleases(ctx context.Context) ([]state.Release, error)
	GetRelease(ctx context.Context, id int64) (state.Release, error)
	CreateRelease(ctx context.Context, spec state.ReleaseSpec) (state.Release, error)
	UpdateRelease(ctx context.Context, id int64, spec state.ReleaseSpec) (state.Release, error)
	DeleteRelease(ctx context.Context, id int64) error
	UploadAsset(ctx context.Context, releaseID int64, name string, body io.ReadSeeker, size int64) (state.Asset, error)
	DeleteAsset(ctx context.Context, id int64) error
}

// IndexWriter writes the chart repository index.
type IndexWriter interface {
	// WriteIndex merges the update's records into the index on its branch
	// in one commit, reading and merging again when the branch moved
	// meanwhile. It returns the commit, "" when the index already held
	// every record.
	WriteIndex(ctx context.Context, u state.IndexUpdate) (string, error)
}

// ArtifactHubWriter pushes Artifact Hub repository metadata to
// <repository>:artifacthub.io and returns the manifest digest, m.Digest.
type ArtifactHubWriter interface {
	PushArtifactHub(ctx context.Context, repository string, m *state.ArtifactHubMetadata) (string, error)
}

// Attester attests chart manifests, in each of formats (config.FormatLegacy,
// config.FormatBundle). VerifyAttestations is the precondition check made
// right before attesting, so a re-run never attests twice in one format.
type Attester interface {
	VerifyAttestations(ctx context.Context, repository, manifestDigest string) (*state.AttestationState, error)
	AttestManifest(ctx context.Context, repository, manifestDigest, predicateType string, statement []byte, formats ...config.SignatureFormat) error
}

// Writers are the remotes Apply writes to. Signer is nil when signing is
// off; Releases is nil when releases are not managed; Index is nil when no
// chart repository index is kept.
type Writers struct {
	Registry RegistryWriter
	Signer   Signer
	Releases ReleaseWriter
	Index    IndexWriter
	// ArtifactHub is nil when no artifacthub block is declared.
	ArtifactHub ArtifactHubWriter
	// Attester is nil when signing { provenance } is off.
	Attester Attester
}

// Hook receives apply progress. Calls come from several goroutines.
type Hook interface {
	// Start is called before a change is applied.
	Start(ch Change)
	// Done is called after it, with the error that stopped it, if any.
	Done(ch Change, err error)
	// Warn reports something the user must read that does not stop apply.
	Warn(msg string)
}

type nopHook struct{}

func (nopHook) Start(Change)       {}
func (nopHook) Done(Change, error) {}
func (nopHook) Warn(string)        {}
