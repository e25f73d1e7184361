package realsites

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"mime"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrNoPHP says a site of the corpus needs PHP and the php program is missing.
var ErrNoPHP = errors.New("php is not installed (Debian package php-cli)")

// siteServer is one site of the corpus served on loopback: plain HTTP at
// addr, and, when the site has original domains, HTTPS for them at
// tlsAddr (a front that passes requests to addr).
type siteServer struct {
	site    Site
	addr    string // 127.0.0.1:PORT
	tlsAddr string
	domains []string // the site's original host names, lower-case ASCII, without www.
	stop    []func()
}

// URL is the address the crawl starts from.
func (s *siteServer) URL() string { return "http://" + s.addr + "/" }

func (s *siteServer) close() {
	for i := len(s.stop) - 1; i >= 0; i-- {
		s.stop[i]()
	}
}

// serve starts the server of one site as its README says: a file server
// for static sites, PHP's built-in server with the corpus's router for
// the PHP ones.
func (c *Corpus) serve(ctx context.Context, site Site, domains []string, ca *authority) (*siteServer, error) {
	root := filepath.Join(c.Dir, "sites", site.Name)
	s := &siteServer{site: site, domains: domains}
	switch site.Serve {
	case ServeStatic:
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("serve %s: %w", site.Name, err)
		}
		srv := &http.Server{Handler: staticHandler(root), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln) //nolint:errcheck // ends with Close
		s.addr = ln.Addr().String()
		s.stop = append(s.stop, func() { srv.Close() })
	case ServePHP, ServePHPHTML:
		addr, stop, err := servePHP(ctx, root, c.router, site.Serve == ServePHPHTML)
		if err != nil {
			return nil, fmt.Errorf("serve %s: %w", site.Name, err)
		}
		s.addr = addr
		s.stop = append(s.stop, stop)
	}
	if len(domains) > 0 {
		if err := s.serveTLS(ca); err != nil {
			s.close()
			return nil, fmt.Errorf("serve %s over HTTPS: %w", site.Name, err)
		}
	}
	return s, nil
}

// servePHP runs `php -d default_charset= -S ADDR -t ROOT router.php` and
// waits until it accepts connections.
func servePHP(ctx context.Context, root, router string, html bool) (string, func(), error) {
	php, err := exec.LookPath("php")
	if err != nil {
		return "", nil, ErrNoPHP
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(php, "-d", "default_charset=", "-S", addr, "-t", root, router)
	cmd.Env = os.Environ()
	if html {
		cmd.Env = append(cmd.Env, "PHP_HTML=1")
	}
	// One process (no PHP_CLI_SERVER_WORKERS), so that killing it ends the
	// server; its request log goes to the null device.
	cmd.Stdout, cmd.Stderr = nil, nil
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start php: %w", err)
	}
	stop := func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return addr, stop, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			return "", nil, fmt.Errorf("php -S %s did not start listening: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// staticHandler serves a folder as a plain web server does: files as they
// are (HTML without a charset in its Content-Type, as nginx sends it), a
// folder's index.html or index.htm, or else a listing of the folder.
func staticHandler(root string) http.Handler {
	listing := http.FileServer(http.Dir(root))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Clean("/" + r.URL.Path)
		full := filepath.Join(root, filepath.FromSlash(name))
		st, err := os.Stat(full)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if st.IsDir() {
			if !strings.HasSuffix(r.URL.Path, "/") {
				http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
				return
			}
			served := false
			for _, idx := range indexFiles[ServeStatic] {
				if ist, err := os.Stat(filepath.Join(full, idx)); err == nil && ist.Mode().IsRegular() {
					full, st, served = filepath.Join(full, idx), ist, true
					break
				}
			}
			if !served {
				listing.ServeHTTP(w, r)
				return
			}
		}
		f, err := os.Open(full)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		switch ext := strings.ToLower(path.Ext(full)); ext {
		case ".html", ".htm":
			w.Header().Set("Content-Type", "text/html")
		default:
			if t := mime.TypeByExtension(ext); t != "" {
				w.Header().Set("Content-Type", t)
			}
		}
		http.ServeContent(w, r, "", st.ModTime(), f)
	})
}

// indexFiles are the files a server answers a folder's URL with, in its order.
var indexFiles = map[string][]string{
	ServeStatic:  {"index.html", "index.htm"},
	ServePHP:     {"index.php", "index.html", "index.htm"},
	ServePHPHTML: {"index.php", "index.html", "index.htm"},
}

// servedIndex returns the index file the site's server answers the folder
// dir (relative to root, "" or ending in /) with, or "".
func servedIndex(root, dir, serve string) string {
	for _, name := range indexFiles[serve] {
		if st, err := os.Stat(filepath.Join(root, filepath.FromSlash(dir), name)); err == nil && st.Mode().IsRegular() {
			return name
		}
	}
	return ""
}

// serveTLS starts the HTTPS front for the site's original domains, with a
// certificate for them from the bench's own authority.
func (s *siteServer) serveTLS(ca *authority) error {
	cert, err := ca.issue(s.domains)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	target := &url.URL{Scheme: "http", Host: s.addr}
	srv := &http.Server{Handler: httputil.NewSingleHostReverseProxy(target), ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	go srv.ServeTLS(ln, "", "") //nolint:errcheck // ends with Close
	s.tlsAddr = ln.Addr().String()
	s.stop = append(s.stop, func() { srv.Close() })
	return nil
}

// authority is the bench's own certificate authority: the crawl trusts it
// through the registry's ca_file setting, so that HTTPS links to a site's
// original domain are verified as they would be on the Internet.
type authority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	pemFile string
}

func newAuthority(dir string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "perenos bench map"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, "bench-ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return nil, fmt.Errorf("write the bench's CA certificate: %w", err)
	}
	return &authority{cert: cert, key: key, pemFile: file}, nil
}

var serial atomic.Int64

func (a *authority) issue(domains []string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	var names []string
	for _, d := range domains {
		names = append(names, d, "www."+d)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2 + serial.Add(1)), Subject: pkix.Name{CommonName: domains[0]},
		DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// resolver is the crawl's test resolver: a site's original domains reach
// its loopback server (port 443 its HTTPS front), the servers' own
// addresses reach themselves, and every other host is sent to an address
// the crawler's guard refuses, so nothing leaves loopback. Offsite counts
// the refused attempts.
type resolver struct {
	mu      sync.Mutex
	hosts   map[string]*siteServer // domain → server
	addrs   map[string]bool
	Offsite atomic.Int64
}

// refused is dialled for hosts outside the corpus: a loopback port not in
// the allow list, so the crawler's address guard refuses it before connecting.
const refused = "127.0.0.1:9"

func newResolver() *resolver {
	return &resolver{hosts: map[string]*siteServer{}, addrs: map[string]bool{}}
}

func (r *resolver) add(s *siteServer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addrs[s.addr] = true
	if s.tlsAddr != "" {
		r.addrs[s.tlsAddr] = true
	}
	for _, d := range s.domains {
		r.hosts[d] = s
	}
}

// allow lists the servers' addresses for the crawler's address guard.
func (r *resolver) allow() []netip.AddrPort {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []netip.AddrPort
	for a := range r.addrs {
		if ap, err := netip.ParseAddrPort(a); err == nil {
			out = append(out, ap)
		}
	}
	return out
}

func (r *resolver) resolve(hostport string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.addrs[hostport] {
		return hostport
	}
	host, port, err := net.SplitHostPort(hostport)
	if err == nil {
		if s := r.hosts[strings.TrimPrefix(strings.ToLower(host), "www.")]; s != nil {
			if port == "443" && s.tlsAddr != "" {
				return s.tlsAddr
			}
			return s.addr
		}
	}
	r.Offsite.Add(1)
	return refused
}
