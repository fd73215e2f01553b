package planner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"sort"
	"sync"
	"syscall"

	"github.com/relctl/relctl/state"
)

// The fakes below keep state and behave like the services they stand for
// (STYLE.md §4): a registry of tags, a GitHub repository of releases with
// drafts, duplicate drafts, assets and IDs, a signer whose signatures are
// observable. Faults make one call fail the two ways a network does: before
// the service saw it (nothing changed) or after it acted (the response is
// lost).

// when a fault strikes relative to the service acting.
type when int

const (
	before when = iota // the request never arrived: no effect
	after              // the service acted, the response was lost
)

// fault fails the nth call (1-based; 0: every call) of op.
type fault struct {
	op   string
	nth  int
	when when
	err  error // nil: a connection reset
}

// faults is a fault table shared by the fakes of one test.
type faults struct {
	mu    sync.Mutex
	list  []fault
	calls map[string]int
}

// errReset is what a dropped connection looks like through net/http.
func errReset(op string) error {
	return fmt.Errorf("%s: %w", op, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
}

func (f *faults) add(fs ...fault) { f.mu.Lock(); f.list = append(f.list, fs...); f.mu.Unlock() }

// hit counts a call of op and returns the fault that strikes it, if any.
func (f *faults) hit(op string) *fault {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	for i := range f.list {
		if x := f.list[i]; x.op == op && (x.nth == 0 || x.nth == f.calls[op]) {
			if x.err == nil {
				x.err = errReset(op)
			}
			return &x
		}
	}
	return nil
}

// run applies the service's effect between the fault's two moments.
func (f *faults) run(op string, effect func() error) error {
	x := f.hit(op)
	if x != nil && x.when == before {
		return x.err
	}
	if err := effect(); err != nil {
		return err
	}
	if x != nil {
		return x.err
	}
	return nil
}

func (f *faults) count(op string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.calls[op] }

// fakeRegistry is an OCI registry of tags. A push stores the manifest the
// package's bytes make, as a registry would: manifests maps package digests
// to manifest digests (the real manifest is a function of the bytes).
type fakeRegistry struct {
	mu        sync.Mutex
	tags      map[string]string // repo:tag → manifest digest
	manifests map[string]string
	f         *faults
}

func newFakeRegistry() *fakeRegistry {
	return &fakeRegistry{tags: map[string]string{}, manifests: map[string]string{}}
}

func (r *fakeRegistry) Resolve(_ context.Context, repo, tag string) (string, error) {
	var dg string
	err := r.f.run("resolve", func() error {
		r.mu.Lock()
		defer r.mu.Unlock()
		var ok bool
		if dg, ok = r.tags[repo+":"+tag]; !ok {
			return fmt.Errorf("%s:%s: %w", repo, tag, state.ErrNotFound)
		}
		return nil
	})
	return dg, err
}

func (r *fakeRegistry) Push(_ context.Context, repo, tag string, pkg *state.Package) (string, error) {
	var dg string
	err := r.f.run("push", func() error {
		r.mu.Lock()
		defer r.mu.Unlock()
		dg = r.manifests[pkg.Digest]
		if dg == "" {
			return fmt.Errorf("no manifest known for package %s", pkg.Digest)
		}
		r.tags[repo+":"+tag] = dg
		return nil
	})
	return dg, err
}

// fakeSigner signs manifests (observable through VerifySignatures) and
// blobs; it counts signatures so a test sees a duplicate.
type fakeSigner struct {
	mu   sync.Mutex
	sigs map[string]int // repo@digest → signatures
	f    *faults
}

func newFakeSigner() *fakeSigner { return &fakeSigner{sigs: map[string]int{}} }

func (s *fakeSigner) VerifySignatures(_ context.Context, repo, digest string) (*state.SignatureState, error) {
	var st state.SignatureState
	err := s.f.run("verify", func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		st.Count = s.sigs[repo+"@"+digest]
		st.Valid = st.Count > 0
		if !st.Valid {
			st.Reason = "no signature"
		}
		return nil
	})
	return &st, err
}

func (s *fakeSigner) SignManifest(_ context.Context, repo, digest string) error {
	return s.f.run("sign", func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.sigs[repo+"@"+digest]++
		return nil
	})
}

func (s *fakeSigner) SignBlob(_ context.Context, blob []byte) (*state.BlobSignature, error) {
	var sig *state.BlobSignature
	err := s.f.run("sign-blob", func() error {
		sig = &state.BlobSignature{Signature: []byte("sig:" + sha(blob))}
		return nil
	})
	return sig, err
}

func (s *fakeSigner) count(repo, digest string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sigs[repo+"@"+digest]
}

// fakeReleases is a GitHub repository's releases: drafts are allowed
// several per tag, a published tag is unique (422 already_exists), an
// asset name is unique per release, IDs only grow.
type fakeReleases struct {
	mu     sync.Mutex
	rels   []state.Release
	nextID int64
	f      *faults
	// onUpload, when set, alters the nth stored upload (1-based): a
	// test makes one that GitHub left in state "starter".
	onUpload func(a *state.Asset, n int)
	uploads  int
}

func newFakeReleases() *fakeReleases { return &fakeReleases{nextID: 100} }

func (g *fakeReleases) id() int64 { g.nextID++; return g.nextID }

func (g *fakeReleases) find(id int64) *state.Release {
	for i := range g.rels {
		if g.rels[i].ID == id {
			return &g.rels[i]
		}
	}
	return nil
}

// seed adds a release as an earlier run or a person left it.
func (g *fakeReleases) seed(r state.Release) state.Release {
	g.mu.Lock()
	defer g.mu.Unlock()
	r.ID = g.id()
	for i := range r.Assets {
		r.Assets[i].ID = g.id()
	}
	g.rels = append(g.rels, r)
	return r
}

func (g *fakeReleases) ListReleases(context.Context) ([]state.Release, error) {
	var out []state.Release
	err := g.f.run("list", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		out = clone(g.rels)
		return nil
	})
	return out, err
}

func (g *fakeReleases) GetRelease(_ context.Context, id int64) (state.Release, error) {
	var out state.Release
	err := g.f.run("get", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		r := g.find(id)
		if r == nil {
			return fmt.Errorf("release %d: %w", id, state.ErrNotFound)
		}
		out = clone([]state.Release{*r})[0]
		return nil
	})
	return out, err
}

func (g *fakeReleases) CreateRelease(_ context.Context, spec state.ReleaseSpec) (state.Release, error) {
	var out state.Release
	err := g.f.run("create", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		if !spec.Draft && g.published(spec.TagName, 0) {
			return fmt.Errorf("create %s: %w", spec.TagName, state.ErrAlreadyExists)
		}
		out = state.Release{ID: g.id(), TagName: spec.TagName, TargetCommitish: spec.TargetCommitish, Name: spec.Name,
			Body: spec.Body, Draft: spec.Draft, Prerelease: spec.Prerelease}
		g.rels = append(g.rels, out)
		return nil
	})
	return out, err
}

func (g *fakeReleases) published(tag string, except int64) bool {
	for _, r := range g.rels {
		if r.TagName == tag && !r.Draft && r.ID != except {
			return true
		}
	}
	return false
}

func (g *fakeReleases) UpdateRelease(_ context.Context, id int64, spec state.ReleaseSpec) (state.Release, error) {
	var out state.Release
	err := g.f.run("update", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		r := g.find(id)
		if r == nil {
			return fmt.Errorf("release %d: %w", id, state.ErrNotFound)
		}
		if !spec.Draft && g.published(r.TagName, id) {
			return fmt.Errorf("publish %s: tag already released: %w", r.TagName, state.ErrAlreadyExists)
		}
		r.Name, r.Body, r.Draft, r.Prerelease = spec.Name, spec.Body, spec.Draft, spec.Prerelease
		out = clone([]state.Release{*r})[0]
		return nil
	})
	return out, err
}

func (g *fakeReleases) DeleteRelease(_ context.Context, id int64) error {
	return g.f.run("delete", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		for i := range g.rels {
			if g.rels[i].ID == id {
				g.rels = append(g.rels[:i], g.rels[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("release %d: %w", id, state.ErrNotFound)
	})
}

func (g *fakeReleases) UploadAsset(_ context.Context, releaseID int64, name string, body io.ReadSeeker, size int64) (state.Asset, error) {
	var out state.Asset
	err := g.f.run("upload", func() error {
		b, err := io.ReadAll(io.LimitReader(body, size))
		if err != nil {
			return err
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		r := g.find(releaseID)
		if r == nil {
			return fmt.Errorf("release %d: %w", releaseID, state.ErrNotFound)
		}
		if findAsset(r.Assets, name) != nil {
			return fmt.Errorf("asset %s: %w", name, state.ErrAlreadyExists)
		}
		out = state.Asset{ID: g.id(), Name: name, Size: int64(len(b)), State: "uploaded", Digest: sha(b)}
		g.uploads++
		if g.onUpload != nil {
			g.onUpload(&out, g.uploads)
		}
		r.Assets = append(r.Assets, out)
		return nil
	})
	return out, err
}

func (g *fakeReleases) DeleteAsset(_ context.Context, id int64) error {
	return g.f.run("delete-asset", func() error {
		g.mu.Lock()
		defer g.mu.Unlock()
		for i := range g.rels {
			as := g.rels[i].Assets
			for j := range as {
				if as[j].ID == id {
					g.rels[i].Assets = append(as[:j], as[j+1:]...)
					return nil
				}
			}
		}
		return fmt.Errorf("asset %d: %w", id, state.ErrNotFound)
	})
}

// byTag returns the releases of a tag, oldest first.
func (g *fakeReleases) byTag(tag string) []state.Release {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []state.Release
	for _, r := range clone(g.rels) {
		if r.TagName == tag {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func clone(rels []state.Release) []state.Release {
	out := make([]state.Release, len(rels))
	for i, r := range rels {
		r.Assets = append([]state.Asset(nil), r.Assets...)
		out[i] = r
	}
	return out
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
