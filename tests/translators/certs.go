package translators

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"time"
)

// issuedSecrets are the TLS Secrets cert-manager issues for the output's
// Certificates (self-signed here, for the Certificates' DNS names), which
// the Gateway's HTTPS listeners refer to.
func issuedSecrets(out []object) ([]object, error) {
	var secrets []object
	for _, o := range out {
		if !isKind(o, "cert-manager.io", "Certificate") {
			continue
		}
		ns, _ := meta(o)
		var names []string
		for _, n := range list(spec(o)["dnsNames"]) {
			if s, ok := n.(string); ok {
				names = append(names, s)
			}
		}
		certPEM, keyPEM, err := selfSigned(names)
		if err != nil {
			return nil, err
		}
		secrets = append(secrets, object{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
			"metadata":   map[string]any{"name": spec(o)["secretName"], "namespace": ns},
			"stringData": map[string]any{"tls.crt": string(certPEM), "tls.key": string(keyPEM)}})
	}
	return secrets, nil
}

func selfSigned(names []string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "kfgitops translators suite"},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}
