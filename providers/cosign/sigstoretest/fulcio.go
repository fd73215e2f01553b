package sigstoretest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	ct "github.com/google/certificate-transparency-go"
	cttls "github.com/google/certificate-transparency-go/tls"
	ctx509 "github.com/google/certificate-transparency-go/x509"
	"github.com/sigstore/fulcio/pkg/api"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// Fulcio's certificate extensions, and the CT ones of RFC 6962.
var (
	oidIssuerV1 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}
	oidIssuerV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}
	oidCTPoison = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 3}
	oidSCTList  = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}
)

// fulcio answers Fulcio's legacy API (POST /api/v1/signingCert), the one
// cosign v2 signs with.
type fulcio struct {
	oidc   *issuer
	caKey  *ecdsa.PrivateKey
	caCert *x509.Certificate
	ctKey  *ecdsa.PrivateKey
	issued atomic.Int32
}

func newFulcio(oidc *issuer, ctKey *ecdsa.PrivateKey) (*fulcio, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "relctl test Fulcio", Organization: []string{"sigstoretest"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &fulcio{oidc: oidc, caKey: key, caCert: cert, ctKey: ctKey}, nil
}

func (f *fulcio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/signingCert" {
		http.NotFound(w, r)
		return
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		http.Error(w, `{"code":401,"message":"no bearer token"}`, http.StatusUnauthorized)
		return
	}
	c, err := f.oidc.verify(token)
	if err != nil {
		http.Error(w, fmt.Sprintf(`{"code":401,"message":%q}`, "invalid identity token: "+err.Error()), http.StatusUnauthorized)
		return
	}
	var req api.CertificateRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(req.PublicKey.Content)
	if err != nil {
		http.Error(w, "public key: "+err.Error(), http.StatusBadRequest)
		return
	}
	// Proof of possession: the caller signed the token's subject.
	if err := verifyProof(pub, []byte(c.Subject), req.SignedEmailAddress); err != nil {
		http.Error(w, `{"code":400,"message":"The signature supplied in the request could not be verified"}`, http.StatusBadRequest)
		return
	}
	leaf, err := f.issue(pub, c)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	f.issued.Add(1)
	w.Header().Set("Content-Type", "application/pem-certificate-chain")
	w.WriteHeader(http.StatusCreated)
	pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: leaf})
	pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: f.caCert.Raw})
}

func verifyProof(pub crypto.PublicKey, msg, sig []byte) error {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("want an ECDSA key, got %T", pub)
	}
	sum := sha256.Sum256(msg)
	if !ecdsa.VerifyASN1(k, sum[:], sig) {
		return fmt.Errorf("bad proof of possession")
	}
	return nil
}

// issue certifies pub for the token's identity as Fulcio does: a
// precertificate (with the CT poison extension) is logged, and the final
// certificate, identical but for the poison, embeds the log's SCT.
func (f *fulcio) issue(pub crypto.PublicKey, c *claims) ([]byte, error) {
	subject, err := url.Parse(Identity{WorkflowRef: c.JobWorkflowRef}.Subject())
	if err != nil {
		return nil, err
	}
	issuerV2, err := asn1.MarshalWithParams(c.Issuer, "utf8")
	if err != nil {
		return nil, err
	}
	now := time.Now()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		NotBefore:    now.Add(-time.Second),
		NotAfter:     now.Add(10 * time.Minute),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		URIs:         []*url.URL{subject},
	}
	exts := []pkix.Extension{
		{Id: oidIssuerV1, Value: []byte(c.Issuer)},
		{Id: oidIssuerV2, Value: issuerV2},
	}
	tmpl.ExtraExtensions = append(exts, pkix.Extension{Id: oidCTPoison, Critical: true, Value: asn1.NullBytes})
	pre, err := x509.CreateCertificate(rand.Reader, tmpl, f.caCert, pub, f.caKey)
	if err != nil {
		return nil, fmt.Errorf("precertificate: %w", err)
	}
	sctExt, err := f.sct(pre)
	if err != nil {
		return nil, fmt.Errorf("SCT: %w", err)
	}
	tmpl.ExtraExtensions = append(exts, sctExt)
	return x509.CreateCertificate(rand.Reader, tmpl, f.caCert, pub, f.caKey)
}

// sct is the CT log's part: it signs the precertificate entry (the
// precertificate's TBS without the poison, and the issuer key hash) and
// the result goes into the final certificate as an SCT list extension.
func (f *fulcio) sct(preDER []byte) (pkix.Extension, error) {
	pre, err := ctx509.ParseCertificate(preDER)
	if err != nil {
		return pkix.Extension{}, err
	}
	issuer, err := ctx509.ParseCertificate(f.caCert.Raw)
	if err != nil {
		return pkix.Extension{}, err
	}
	ts := uint64(time.Now().UnixMilli())
	leaf, err := ct.MerkleTreeLeafFromChain([]*ctx509.Certificate{pre, issuer}, ct.PrecertLogEntryType, ts)
	if err != nil {
		return pkix.Extension{}, err
	}
	id, err := logID(&f.ctKey.PublicKey)
	if err != nil {
		return pkix.Extension{}, err
	}
	sct := ct.SignedCertificateTimestamp{SCTVersion: ct.V1, Timestamp: ts}
	copy(sct.LogID.KeyID[:], id)
	input, err := ct.SerializeSCTSignatureInput(sct, ct.LogEntry{Leaf: *leaf})
	if err != nil {
		return pkix.Extension{}, err
	}
	sum := sha256.Sum256(input)
	sig, err := ecdsa.SignASN1(rand.Reader, f.ctKey, sum[:])
	if err != nil {
		return pkix.Extension{}, err
	}
	sct.Signature = ct.DigitallySigned{
		Algorithm: cttls.SignatureAndHashAlgorithm{Hash: cttls.SHA256, Signature: cttls.ECDSA},
		Signature: sig,
	}
	raw, err := cttls.Marshal(sct)
	if err != nil {
		return pkix.Extension{}, err
	}
	list, err := cttls.Marshal(ctx509.SignedCertificateTimestampList{SCTList: []ctx509.SerializedSCT{{Val: raw}}})
	if err != nil {
		return pkix.Extension{}, err
	}
	val, err := asn1.Marshal(list)
	if err != nil {
		return pkix.Extension{}, err
	}
	return pkix.Extension{Id: oidSCTList, Value: val}, nil
}
