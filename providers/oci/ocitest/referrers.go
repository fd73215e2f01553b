package ocitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

var (
	referrersPath = regexp.MustCompile(`^/v2/(.+)/referrers/(sha256:[0-9a-f]{64})$`)
	manifestPath  = regexp.MustCompile(`^/v2/(.+)/manifests/([^/]+)$`)
)

// referrers adds the OCI 1.1 referrers API (distribution spec 1.1) to the
// distribution registry, which has none (like GHCR): a manifest uploaded
// with a subject is answered with the OCI-Subject header and listed at
// GET /v2/<name>/referrers/<digest>, as by a registry that implements it
// (Docker Hub, Harbor, zot, ECR). Listing is authorized as reading the
// subject is. Deleting a referrer does not unlist it; no client here
// deletes one.
type referrers struct {
	next http.Handler
	mu   sync.Mutex
	refs map[string][]ocispec.Descriptor // "<name>@<subject digest>" → referrers, in upload order
}

func (r *referrers) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if m := referrersPath.FindStringSubmatch(req.URL.Path); m != nil && req.Method == http.MethodGet {
		r.list(w, req, m[1], m[2])
		return
	}
	m := manifestPath.FindStringSubmatch(req.URL.Path)
	if m == nil || req.Method != http.MethodPut {
		r.next.ServeHTTP(w, req)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	r.next.ServeHTTP(rec, req)
	var mf struct {
		MediaType    string               `json:"mediaType"`
		ArtifactType string               `json:"artifactType"`
		Config       ocispec.Descriptor   `json:"config"`
		Subject      *ocispec.Descriptor  `json:"subject"`
		Annotations  map[string]string    `json:"annotations"`
		Layers       []ocispec.Descriptor `json:"layers"`
	}
	if rec.Code == http.StatusCreated && json.Unmarshal(body, &mf) == nil && mf.Subject != nil {
		desc := ocispec.Descriptor{
			MediaType:    req.Header.Get("Content-Type"),
			ArtifactType: mf.ArtifactType,
			Digest:       digest.FromBytes(body),
			Size:         int64(len(body)),
			Annotations:  mf.Annotations,
		}
		if desc.ArtifactType == "" {
			// The spec's rule for manifests without artifactType.
			desc.ArtifactType = mf.Config.MediaType
		}
		r.mu.Lock()
		key := m[1] + "@" + mf.Subject.Digest.String()
		r.refs[key] = append(r.refs[key], desc)
		r.mu.Unlock()
		rec.Header().Set("OCI-Subject", mf.Subject.Digest.String())
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes()) //nolint:errcheck // the client went away
}

// list answers GET /v2/<name>/referrers/<digest> with an image index.
func (r *referrers) list(w http.ResponseWriter, req *http.Request, repo, subject string) {
	// Whoever may read the subject may list its referrers; the registry
	// decides, on a HEAD of it.
	head := req.Clone(req.Context())
	head.Method = http.MethodHead
	head.URL.Path = "/v2/" + repo + "/manifests/" + subject
	rec := httptest.NewRecorder()
	r.next.ServeHTTP(rec, head)
	if rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		return
	}
	r.mu.Lock()
	list := append([]ocispec.Descriptor{}, r.refs[repo+"@"+subject]...)
	r.mu.Unlock()
	idx := ocispec.Index{MediaType: ocispec.MediaTypeImageIndex, Manifests: list}
	idx.SchemaVersion = 2
	w.Header().Set("Content-Type", ocispec.MediaTypeImageIndex)
	json.NewEncoder(w).Encode(idx) //nolint:errcheck // the client went away
}
