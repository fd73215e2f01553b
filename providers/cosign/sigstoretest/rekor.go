package sigstoretest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	"github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// rekor is a transparency log of hashedrekord and dsse entries, with Rekor v1's
// API: POST /api/v1/log/entries (answers 201 with the entry, its signed
// entry timestamp and an inclusion proof, 409 for an entry it holds),
// GET /api/v1/log/entries/{uuid}, POST /api/v1/log/entries/retrieve
// (search by proposed entry or UUID), GET /api/v1/log/publicKey.
type rekor struct {
	key    *ecdsa.PrivateKey
	signer signature.Signer
	logID  string
	origin string

	mu      sync.Mutex
	entries []logEntry
	byUUID  map[string]int
}

type logEntry struct {
	body           []byte
	integratedTime int64
	set            []byte
	leaf           []byte
}

func newRekor() (*rekor, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	id, err := logID(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &rekor{key: key, signer: signer, logID: hex.EncodeToString(id), byUUID: map[string]int{}}, nil
}

func (r *rekor) size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.entries)
}

func (r *rekor) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch {
	case req.Method == http.MethodPost && req.URL.Path == "/api/v1/log/entries":
		r.create(w, req)
	case req.Method == http.MethodPost && req.URL.Path == "/api/v1/log/entries/retrieve":
		r.search(w, req)
	case req.Method == http.MethodGet && strings.HasPrefix(req.URL.Path, "/api/v1/log/entries/"):
		r.get(w, req, strings.TrimPrefix(req.URL.Path, "/api/v1/log/entries/"))
	case req.Method == http.MethodGet && req.URL.Path == "/api/v1/log/publicKey":
		der, _ := x509.MarshalPKIXPublicKey(&r.key.PublicKey)
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Write(cryptoutils.PEMEncode(cryptoutils.PublicKeyPEMType, der))
	default:
		apiError(w, http.StatusNotFound, "not found")
	}
}

func (r *rekor) create(w http.ResponseWriter, req *http.Request) {
	var proposed json.RawMessage
	if err := json.NewDecoder(req.Body).Decode(&proposed); err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	body, err := canonicalEntry(proposed, true)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	leaf := leafHash(body)
	uuid := hex.EncodeToString(leaf)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.byUUID[uuid]; ok {
		w.Header().Set("Location", "/api/v1/log/entries/"+uuid)
		apiError(w, http.StatusConflict, "an equivalent entry already exists in the transparency log with UUID "+uuid)
		return
	}
	e := logEntry{body: body, integratedTime: time.Now().Unix(), leaf: leaf}
	index := int64(len(r.entries))
	set, err := r.sign(e, index)
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	e.set = set
	r.entries = append(r.entries, e)
	r.byUUID[uuid] = int(index)
	out, err := r.entryJSON(req, int(index))
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Location", "/api/v1/log/entries/"+uuid)
	writeJSON(w, http.StatusCreated, map[string]any{uuid: out})
}

func (r *rekor) get(w http.ResponseWriter, req *http.Request, uuid string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(uuid) > 64 {
		uuid = uuid[len(uuid)-64:] // a tree ID may prefix it
	}
	i, ok := r.byUUID[uuid]
	if !ok {
		apiError(w, http.StatusNotFound, "entry not found")
		return
	}
	out, err := r.entryJSON(req, i)
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{uuid: out})
}

func (r *rekor) search(w http.ResponseWriter, req *http.Request) {
	var q struct {
		Entries    []json.RawMessage `json:"entries"`
		EntryUUIDs []string          `json:"entryUUIDs"`
	}
	if err := json.NewDecoder(req.Body).Decode(&q); err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	var uuids []string
	for _, p := range q.Entries {
		body, err := canonicalEntry(p, false)
		if err != nil {
			apiError(w, http.StatusBadRequest, err.Error())
			return
		}
		uuids = append(uuids, hex.EncodeToString(leafHash(body)))
	}
	uuids = append(uuids, q.EntryUUIDs...)
	r.mu.Lock()
	defer r.mu.Unlock()
	found := []map[string]any{}
	for _, uuid := range uuids {
		i, ok := r.byUUID[uuid]
		if !ok {
			continue
		}
		out, err := r.entryJSON(req, i)
		if err != nil {
			apiError(w, http.StatusInternalServerError, err.Error())
			return
		}
		found = append(found, map[string]any{uuid: out})
	}
	writeJSON(w, http.StatusOK, found)
}

// sign makes the signed entry timestamp: the log key's signature over the
// canonical JSON of body, integrated time, log index and log ID, which is
// what verifiers check offline.
func (r *rekor) sign(e logEntry, index int64) ([]byte, error) {
	payload, err := json.Marshal(map[string]any{
		"body":           base64.StdEncoding.EncodeToString(e.body),
		"integratedTime": e.integratedTime,
		"logIndex":       index,
		"logID":          r.logID,
	})
	if err != nil {
		return nil, err
	}
	canonical, err := jsoncanonicalizer.Transform(payload)
	if err != nil {
		return nil, err
	}
	return r.signer.SignMessage(strings.NewReader(string(canonical)))
}

// entryJSON is entry i as Rekor returns it, with an inclusion proof in the
// current tree and a checkpoint signed for that tree. r.mu is held.
func (r *rekor) entryJSON(req *http.Request, i int) (map[string]any, error) {
	leaves := make([][]byte, len(r.entries))
	for j, e := range r.entries {
		leaves[j] = e.leaf
	}
	rootHash := treeHash(leaves)
	var hashes []string
	for _, h := range inclusionPath(i, leaves) {
		hashes = append(hashes, hex.EncodeToString(h))
	}
	if hashes == nil {
		hashes = []string{}
	}
	checkpoint, err := util.CreateAndSignCheckpoint(req.Context(), r.origin, 1, uint64(len(leaves)), rootHash, r.signer)
	if err != nil {
		return nil, err
	}
	e := r.entries[i]
	return map[string]any{
		"body":           base64.StdEncoding.EncodeToString(e.body),
		"integratedTime": e.integratedTime,
		"logID":          r.logID,
		"logIndex":       i,
		"verification": map[string]any{
			"signedEntryTimestamp": base64.StdEncoding.EncodeToString(e.set),
			"inclusionProof": map[string]any{
				"checkpoint": string(checkpoint),
				"hashes":     hashes,
				"logIndex":   i,
				"rootHash":   hex.EncodeToString(rootHash),
				"treeSize":   len(leaves),
			},
		},
	}, nil
}

func apiError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"code": code, "message": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
