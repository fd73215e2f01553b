package cosign

import (
	"context"
	"crypto"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	cosignpkg "github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

const (
	envKeyPrefix  = "env://"
	passwordEnv   = "COSIGN_PASSWORD"
	privateKeyPEM = "cosign.key"
	publicKeyPEM  = "cosign.pub"
)

// loadKey loads Signing.Key once, for every signature this Signer makes.
func (s *Signer) loadKey(ctx context.Context) error {
	ref := s.signing.Key
	if ref == "" {
		return errors.New("signing mode \"key\": signing.key is empty: set it to a cosign.key path, env://VAR or a KMS reference")
	}
	s.keyRef = ref
	if strings.Contains(ref, "://") && !strings.HasPrefix(ref, envKeyPrefix) {
		return s.loadRemoteKey(ctx, ref)
	}

	var keyPEM []byte
	if name, ok := strings.CutPrefix(ref, envKeyPrefix); ok {
		keyPEM = []byte(s.getenv(name))
		if len(keyPEM) == 0 {
			return fmt.Errorf("load signing key %s: environment variable %s is empty or unset", ref, name)
		}
	} else {
		b, err := os.ReadFile(ref)
		if err != nil {
			return fmt.Errorf("load signing key %s: %w", ref, err)
		}
		keyPEM = b
	}

	// Checked here rather than left to LoadPrivateKey so that a PEM of the
	// wrong kind is not reported as a wrong password.
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return fmt.Errorf("load signing key %s: not a PEM file", ref)
	}
	if block.Type != cosignpkg.CosignPrivateKeyPemType && block.Type != cosignpkg.SigstorePrivateKeyPemType {
		return fmt.Errorf("load signing key %s: PEM block %q is not an encrypted cosign private key (make one with `cosign generate-key-pair`)", ref, block.Type)
	}

	password := s.getenv(passwordEnv)
	sv, err := cosignpkg.LoadPrivateKey(keyPEM, []byte(password), nil)
	if err != nil {
		// LoadPrivateKey prefixes decryption failures with "decrypt"; the
		// underlying error is unexported, so the prefix is all there is.
		if strings.HasPrefix(err.Error(), "decrypt") {
			if password == "" {
				return fmt.Errorf("load signing key %s: %s is not set and the key is encrypted", ref, passwordEnv)
			}
			return fmt.Errorf("load signing key %s: %s does not decrypt the key", ref, passwordEnv)
		}
		return fmt.Errorf("load signing key %s: %w", ref, err)
	}
	s.sv = sv
	return s.setPublicKey()
}

// loadRemoteKey hands a KMS or k8s:// reference to cosign unchanged. The
// KMS client (awskms://, gcpkms://, azurekms://, hashivault://) must be
// registered by the binary with a blank import of sigstore's
// pkg/signature/kms/<provider>: that pulls a cloud SDK in, so this package
// does not do it itself (keyref.go).
func (s *Signer) loadRemoteKey(ctx context.Context, ref string) error {
	if err := checkKeyProvider(ref); err != nil {
		return fmt.Errorf("load signing key %s: %w", ref, err)
	}
	sv, err := signerVerifierFromKeyRef(ctx, ref, s.passFunc)
	if err != nil {
		return fmt.Errorf("load signing key %s: %w", ref, err)
	}
	s.sv = sv
	if err := s.setPublicKey(); err != nil {
		return err
	}
	// Verify with the public key here rather than asking the KMS for each
	// signature a plan reads: one call at load, none per chart.
	pub, err := sv.PublicKey()
	if err != nil {
		return fmt.Errorf("read the public key of signing key %s: %w", ref, err)
	}
	if s.verifier, err = signature.LoadVerifier(pub, crypto.SHA256); err != nil {
		return fmt.Errorf("use the public key of signing key %s: %w", ref, err)
	}
	return nil
}

// loadPublicKey loads signing.public_key, or else the public key beside a
// private key file (cosign.key → cosign.pub), for a VerifyOnly Signer. ok is
// false when there is none: the private key is then loaded as for signing.
func (s *Signer) loadPublicKey(ctx context.Context) (ok bool, err error) {
	pub := s.signing.PublicKey
	if pub == "" {
		ref := s.signing.Key
		if ref == "" || strings.Contains(ref, "://") || !strings.HasSuffix(ref, ".key") {
			return false, nil
		}
		pub = strings.TrimSuffix(ref, ".key") + ".pub"
		if _, err := os.Stat(pub); err != nil {
			return false, nil
		}
	}
	if isKeyProviderRef(pub) {
		if err := checkKeyProvider(pub); err != nil {
			return true, fmt.Errorf("load public key %s: %w", pub, err)
		}
	}
	v, err := verifierFromKeyRef(ctx, pub)
	if err != nil {
		return true, fmt.Errorf("load public key %s: %w", pub, err)
	}
	s.keyRef, s.verifier = pub, v
	pk, err := v.PublicKey()
	if err != nil {
		return true, fmt.Errorf("read public key %s: %w", pub, err)
	}
	if s.pubPEM, err = cryptoutils.MarshalPublicKeyToPEM(pk); err != nil {
		return true, fmt.Errorf("encode public key %s: %w", pub, err)
	}
	return true, nil
}

// passFunc stands in for cosign's own, which reads the process environment
// and prompts on a terminal: relctl does neither.
func (s *Signer) passFunc(bool) ([]byte, error) {
	return []byte(s.getenv(passwordEnv)), nil
}

func (s *Signer) setPublicKey() error {
	pub, err := s.sv.PublicKey()
	if err != nil {
		return fmt.Errorf("read the public key of signing key %s: %w", s.keyRef, err)
	}
	b, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return fmt.Errorf("encode the public key of signing key %s: %w", s.keyRef, err)
	}
	s.pubPEM = b
	return nil
}

// GenerateKeyPair writes dir/cosign.key (encrypted with password, mode 0600)
// and dir/cosign.pub, as `cosign generate-key-pair` does. It refuses to
// overwrite an existing key: a lost key cannot sign for its old signatures'
// verifiers again.
func GenerateKeyPair(dir string, password []byte) (privPath, pubPath string, err error) {
	keys, err := cosignpkg.GenerateKeyPair(func(bool) ([]byte, error) { return password, nil })
	if err != nil {
		return "", "", fmt.Errorf("generate a cosign key pair: %w", err)
	}
	privPath = filepath.Join(dir, privateKeyPEM)
	pubPath = filepath.Join(dir, publicKeyPEM)
	for _, p := range []string{privPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return "", "", fmt.Errorf("generate a cosign key pair in %s: %s: %w", dir, p, fs.ErrExist)
		}
	}
	if err := writeNew(privPath, keys.PrivateBytes, 0o600); err != nil {
		return "", "", fmt.Errorf("generate a cosign key pair in %s: %w", dir, err)
	}
	if err := writeNew(pubPath, keys.PublicBytes, 0o644); err != nil {
		os.Remove(privPath)
		return "", "", fmt.Errorf("generate a cosign key pair in %s: %w", dir, err)
	}
	return privPath, pubPath, nil
}

// writeNew creates path, failing if it exists (O_EXCL closes the window
// between the check above and the write).
func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}
