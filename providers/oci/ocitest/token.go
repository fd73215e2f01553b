package ocitest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	// Token authentication registers itself.
	_ "github.com/distribution/distribution/v3/registry/auth/token"
)

// TokenPath is the path of the token endpoint a Server in token mode
// serves beside the registry: the realm of its Bearer challenges.
const TokenPath = "/token"

const (
	tokenIssuer = "relctl-test-token-issuer"
	// tokenTTL is what GHCR's tokens live: 5 minutes.
	tokenTTL = 5 * time.Minute
)

// tokenService is the registry's token authentication (distribution's own
// `auth: token`, which checks every request's JWT against a root
// certificate) and the endpoint issuing those JWTs, signed by a key made
// for this Server, as GHCR's https://ghcr.io/token does: one JWT per
// request to the endpoint, for every `scope` parameter it names.
type tokenService struct {
	service  string
	key      *ecdsa.PrivateKey
	x5c      []string
	username string
	password string
	maxScope int
}

// newTokenService makes the signing key and its certificate, writes the
// certificate to dir for the registry, and returns the auth configuration.
func newTokenService(dir, host string, opts Options) (*tokenService, configuration.Auth, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: tokenIssuer},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Join(dir, "token-root.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return nil, nil, err
	}
	t := &tokenService{
		service:  host,
		key:      key,
		x5c:      []string{base64.StdEncoding.EncodeToString(der)},
		username: opts.Username,
		password: opts.Password,
		maxScope: opts.TokenMaxScopes,
	}
	auth := configuration.Auth{"token": configuration.Parameters{
		"realm":          "http://" + host + TokenPath,
		"service":        t.service,
		"issuer":         tokenIssuer,
		"rootcertbundle": path,
	}}
	return t, auth, nil
}

// ServeHTTP is the token endpoint (the Docker registry token spec, GET
// flavour): with Username set, it wants HTTP basic credentials and
// refuses others; without, it issues tokens to anyone. It grants every
// action asked of every scope: pull, push, delete.
func (t *tokenService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "the token endpoint answers GET", http.StatusMethodNotAllowed)
		return
	}
	subject := "anonymous"
	if t.username != "" {
		user, pass, ok := r.BasicAuth()
		if !ok || user != t.username || pass != t.password {
			w.Header().Set("WWW-Authenticate", `Basic realm="relctl-test-token"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		subject = user
	}
	if svc := r.URL.Query().Get("service"); svc != "" && svc != t.service {
		http.Error(w, fmt.Sprintf("unknown service %q", svc), http.StatusBadRequest)
		return
	}
	var access []map[string]any
	for _, param := range r.URL.Query()["scope"] {
		for _, scope := range strings.Fields(param) {
			typ, rest, ok := strings.Cut(scope, ":")
			i := strings.LastIndex(rest, ":")
			if !ok || i <= 0 {
				http.Error(w, fmt.Sprintf("malformed scope %q", scope), http.StatusBadRequest)
				return
			}
			access = append(access, map[string]any{
				"type": typ, "name": rest[:i], "actions": strings.Split(rest[i+1:], ","),
			})
		}
	}
	if t.maxScope > 0 && len(access) > t.maxScope {
		http.Error(w, fmt.Sprintf("%d scopes asked, at most %d", len(access), t.maxScope), http.StatusBadRequest)
		return
	}
	token, err := t.sign(subject, access)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token": token, "access_token": token,
		"expires_in": int(tokenTTL / time.Second), "issued_at": time.Now().UTC().Format(time.RFC3339),
	})
}

// sign makes the JWT distribution's token access controller verifies:
// issuer, audience (the service), validity, and the access list, with the
// certificate in its x5c header.
func (t *tokenService) sign(subject string, access []map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: t.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("x5c", t.x5c))
	if err != nil {
		return "", err
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return "", err
	}
	now := time.Now()
	if access == nil {
		access = []map[string]any{}
	}
	claims := map[string]any{
		"iss": tokenIssuer, "sub": subject, "aud": t.service,
		"exp": now.Add(tokenTTL).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix(),
		"jti": hex.EncodeToString(id), "access": access,
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}
