package planner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"syscall"

	"github.com/relctl/relctl/config"
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
	sigs map[string]map[config.SignatureFormat]int // repo@digest → format → signatures
	f    *faults
	// keyless makes SignBlob return a certificate, as Fulcio's is: one
	// per signing, and a signature verifies only with its own.
	keyless bool
	// format is signing.format: which blob files SignBlob returns, and
	// what SignManifest signs when given no formats.
	format config.SignatureFormat
	blobs  int // blob signings made
}

func newFakeSigner() *fakeSigner {
	return &fakeSigner{sigs: map[string]map[config.SignatureFormat]int{}}
}

func (s *fakeSigner) VerifySignatures(_ context.Context, repo, digest string) (*state.SignatureState, error) {
	var st state.SignatureState
	err := s.f.run("verify", func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		byFormat := s.sigs[repo+"@"+digest]
		for f, place := range map[config.SignatureFormat]string{config.FormatLegacy: state.SignatureFormatLegacy, config.FormatBundle: state.SignatureFormatFallbackTag} {
			st.Count += byFormat[f]
			if byFormat[f] > 0 {
				st.Formats = append(st.Formats, place)
			}
		}
		slices.Sort(st.Formats)
		st.Valid = st.Count > 0
		if !st.Valid {
			st.Reason = "no signature"
		}
		return nil
	})
	return &st, err
}

// SignManifest signs in each format given (a real signer skips the ones
// already signed; this one counts, so a test sees a duplicate).
func (s *fakeSigner) SignManifest(_ context.Context, repo, digest string, formats ...config.SignatureFormat) error {
	if len(formats) == 0 {
		formats = s.format.Kinds()
	}
	return s.f.run("sign", func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.sigs[repo+"@"+digest] == nil {
			s.sigs[repo+"@"+digest] = map[config.SignatureFormat]int{}
		}
		for _, f := range formats {
			s.sigs[repo+"@"+digest][f]++
		}
		return nil
	})
}

func (s *fakeSigner) SignBlob(_ context.Context, blob []byte) (*state.BlobSignature, error) {
	var sig *state.BlobSignature
	err := s.f.run("sign-blob", func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.blobs++
		sig = &state.BlobSignature{}
		if s.format.Writes(config.FormatLegacy) {
			sig.Signature = []byte(fmt.Sprintf("sig:%d:%s", s.blobs, sha(blob)))
			if s.keyless {
				sig.Certificate = []byte(fmt.Sprintf("cert:%d", s.blobs))
			}
		}
		if s.format.Writes(config.FormatBundle) {
			sig.Bundle = []byte(fmt.Sprintf("bundle:%d:%s", s.blobs, sha(blob)))
		}
		return nil
	})
	return sig, err
}

// VerifyBlob accepts the files of one signing of these bytes: the
// signature with, in keyless mode, its certificate, and the bundle.
func (s *fakeSigner) VerifyBlob(_ context.Context, blob []byte, sig *state.BlobSignature) error {
	n := -1
	if len(sig.Bundle) > 0 {
		var digest string
		if _, err := fmt.Sscanf(string(sig.Bundle), "bundle:%d:%s", &n, &digest); err != nil || digest != sha(blob) {
			return errors.New("bundle does not verify these bytes")
		}
		if len(sig.Signature) == 0 {
			return nil
		}
	}
	var m int
	var digest string
	if _, err := fmt.Sscanf(string(sig.Signature), "sig:%d:%s", &m, &digest); err != nil || digest != sha(blob) {
		return errors.New("signature does not verify these bytes")
	}
	if n >= 0 && n != m {
		return errors.New("the bundle is not the signing of the signature")
	}
	if s.keyless && string(sig.Certificate) != fmt.Sprintf("cert:%d", m) {
		return errors.New("signature does not verify with this certificate")
	}
	return nil
}

func (s *fakeSigner) blobSignings() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blobs
}

// blobReader is what state.CheckSignatureSets reads: the fake GitHub's
// assets and the fake signer's verification.
type blobReader struct {
	*fakeReleases
	*fakeSigner
}

func (s *fakeSigner) count(repo, digest string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.sigs[repo+"@"+digest] {
		n += c
	}
	return n
}

// countFormat is count for one format.
func (s *fakeSigner) countFormat(repo, digest string, f config.SignatureFormat) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sigs[repo+"@"+digest][f]
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// errNoKey is a signer's refusal: no retry can help.
var errNoKey = errors.New("decrypt cosign.key: wrong password")
