package sigstoretest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/sigstore/fulcio/pkg/api"
	"github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

var workflow = Identity{Issuer: GitHubIssuer, WorkflowRef: "acme/charts/.github/workflows/release.yaml@refs/heads/main"}

func start(t *testing.T) *Sigstore {
	t.Helper()
	s, err := Start(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func post(t *testing.T, url, bearer string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func certRequest(t *testing.T, key *ecdsa.PrivateKey, subject string) api.CertificateRequest {
	t.Helper()
	pub, err := cryptoutils.MarshalPublicKeyToPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(subject))
	proof, _ := ecdsa.SignASN1(rand.Reader, key, sum[:])
	return api.CertificateRequest{PublicKey: api.Key{Content: pub}, SignedEmailAddress: proof}
}

// TestFulcio_certifiesOnlyAVerifiedTokenAndAProvenKey: the stand-in is a
// gate, not a recorder: a token another key signed, or a request whose
// proof of possession is not over the token's subject, gets nothing.
func TestFulcio_certifiesOnlyAVerifiedTokenAndAProvenKey(t *testing.T) {
	s := start(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	token, err := s.Token(workflow)
	if err != nil {
		t.Fatal(err)
	}
	other := start(t)
	foreign, _ := other.Token(workflow)
	url := s.FulcioURL + "/api/v1/signingCert"

	if code, _ := post(t, url, foreign, certRequest(t, key, "repo:"+workflow.WorkflowRef)); code != http.StatusUnauthorized {
		t.Errorf("token of another issuer key: HTTP %d, want 401", code)
	}
	if code, _ := post(t, url, token, certRequest(t, key, "someone else")); code != http.StatusBadRequest {
		t.Errorf("proof over another subject: HTTP %d, want 400", code)
	}
	code, body := post(t, url, token, certRequest(t, key, "repo:"+workflow.WorkflowRef))
	if code != http.StatusCreated {
		t.Fatalf("valid request: HTTP %d: %s", code, body)
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(body)
	if err != nil || len(certs) != 2 {
		t.Fatalf("response holds %d certificates (%v), want leaf and root", len(certs), err)
	}
	if got := certs[0].URIs[0].String(); got != workflow.Subject() {
		t.Errorf("URI SAN %q, want %q", got, workflow.Subject())
	}
	// The trusted root's CA verifies the leaf, whose embedded SCT the
	// trusted root's CT log signed.
	tr, err := root.NewTrustedRootFromPath(s.TrustedRoot)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.FulcioCertificateAuthorities()[0].Verify(certs[0], certs[0].NotBefore); err != nil {
		t.Errorf("the trusted root's CA does not verify the leaf: %v", err)
	}
	if s.Certificates() != 1 {
		t.Errorf("Certificates() = %d, want 1", s.Certificates())
	}
}

func hashedRekordEntry(t *testing.T, key *ecdsa.PrivateKey, data []byte, sig []byte) map[string]any {
	t.Helper()
	pub, _ := cryptoutils.MarshalPublicKeyToPEM(&key.PublicKey)
	sum := sha256.Sum256(data)
	return map[string]any{
		"apiVersion": "0.0.1", "kind": "hashedrekord",
		"spec": map[string]any{
			"data":      map[string]any{"hash": map[string]any{"algorithm": "sha256", "value": hex.EncodeToString(sum[:])}},
			"signature": map[string]any{"content": base64.StdEncoding.EncodeToString(sig), "publicKey": map[string]any{"content": base64.StdEncoding.EncodeToString(pub)}},
		},
	}
}

// TestRekor_logsOnlyVerifyingEntriesOnceWithProofsThatHold: entries whose
// signature does not verify are refused, a repeated entry is a 409, and
// every entry's inclusion proof and checkpoint hold for the log key.
func TestRekor_logsOnlyVerifyingEntriesOnceWithProofsThatHold(t *testing.T) {
	s := start(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sign := func(data []byte) []byte {
		sum := sha256.Sum256(data)
		sig, _ := ecdsa.SignASN1(rand.Reader, key, sum[:])
		return sig
	}
	url := s.RekorURL + "/api/v1/log/entries"
	if code, _ := post(t, url, "", hashedRekordEntry(t, key, []byte("a"), sign([]byte("b")))); code != http.StatusBadRequest {
		t.Errorf("signature over other data: HTTP %d, want 400", code)
	}
	var first map[string]any
	for i := range 5 {
		data := []byte(fmt.Sprintf("artifact %d", i))
		e := hashedRekordEntry(t, key, data, sign(data))
		code, body := post(t, url, "", e)
		if code != http.StatusCreated {
			t.Fatalf("entry %d: HTTP %d: %s", i, code, body)
		}
		if i == 0 {
			first = e
		}
	}
	if code, _ := post(t, url, "", first); code != http.StatusConflict {
		t.Errorf("the same entry again: HTTP %d, want 409", code)
	}
	if s.Entries() != 5 {
		t.Fatalf("Entries() = %d, want 5", s.Entries())
	}

	code, body := post(t, url+"/retrieve", "", map[string]any{"entries": []any{first}})
	var found []map[string]struct {
		Body         string `json:"body"`
		LogIndex     int64  `json:"logIndex"`
		Verification struct {
			InclusionProof struct {
				Checkpoint string   `json:"checkpoint"`
				Hashes     []string `json:"hashes"`
				LogIndex   uint64   `json:"logIndex"`
				RootHash   string   `json:"rootHash"`
				TreeSize   uint64   `json:"treeSize"`
			} `json:"inclusionProof"`
		} `json:"verification"`
	}
	if err := json.Unmarshal(body, &found); code != http.StatusOK || err != nil || len(found) != 1 {
		t.Fatalf("search: HTTP %d, %v: %s", code, err, body)
	}
	verifier, err := signature.LoadECDSAVerifier(&s.rekor.key.PublicKey, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	for uuid, e := range found[0] {
		raw, _ := base64.StdEncoding.DecodeString(e.Body)
		leaf := rfc6962.DefaultHasher.HashLeaf(raw)
		if hex.EncodeToString(leaf) != uuid {
			t.Errorf("UUID %s is not the entry's leaf hash", uuid)
		}
		p := e.Verification.InclusionProof
		var hashes [][]byte
		for _, h := range p.Hashes {
			b, _ := hex.DecodeString(h)
			hashes = append(hashes, b)
		}
		rootHash, _ := hex.DecodeString(p.RootHash)
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.LogIndex, p.TreeSize, leaf, hashes, rootHash); err != nil || p.TreeSize != 5 {
			t.Errorf("inclusion proof of entry %d in a tree of %d: %v", p.LogIndex, p.TreeSize, err)
		}
		var cp util.SignedCheckpoint
		if err := cp.UnmarshalText([]byte(p.Checkpoint)); err != nil || !cp.Verify(verifier) || !bytes.Equal(cp.Hash, rootHash) || cp.Size != 5 {
			t.Errorf("checkpoint %q does not commit, signed, to the proof's root (%v)", p.Checkpoint, err)
		}
	}
}
