package crawler

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned when a site resolves to an internal address.
var ErrForbiddenAddress = errors.New("refusing to connect to an internal address (use --allow-private to allow)")

// forbidden reports whether ip is loopback, private, link-local, multicast,
// unspecified or otherwise not a public unicast address.
func forbidden(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() ||
		cgnat.Contains(ip) || !ip.IsValid()
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// NetOptions decide how the crawler reaches hosts.
type NetOptions struct {
	AllowPrivate bool
	// Resolve, when set, maps a host:port to the address actually dialled
	// (benchmarks serve many virtual hosts from one loopback listener).
	Resolve func(hostport string) string
	// CAFile adds PEM roots (many Russian public-sector sites use a root
	// that Debian does not ship); Insecure skips verification altogether.
	CAFile   string
	Insecure bool
	Timeout  time.Duration
	// Allow lists internal addresses that may be dialled all the same
	// (a test server, a site hosted inside the operator's network).
	Allow []netip.AddrPort
}

// newTransport builds the HTTP transport for one site. The address check
// runs at connect time, after DNS and on every redirect.
func newTransport(o NetOptions, perHost int) (*http.Transport, error) {
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	d := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}
	if !o.AllowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			if forbidden(ap.Addr()) && !slices.Contains(o.Allow, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())) {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			return nil
		}
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if o.Resolve != nil {
				addr = o.Resolve(addr)
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost:   max(perHost, 2),
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
		Proxy:                 nil, // a proxy would bypass the address check
	}
	if o.CAFile != "" || o.Insecure {
		cfg := &tls.Config{InsecureSkipVerify: o.Insecure} //nolint:gosec // explicit per-site setting
		if o.CAFile != "" {
			pem, err := os.ReadFile(o.CAFile)
			if err != nil {
				return nil, fmt.Errorf("read CA bundle %s: %w", o.CAFile, err)
			}
			pool, err := x509.SystemCertPool()
			if err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("CA bundle %s holds no PEM certificates", o.CAFile)
			}
			cfg.RootCAs = pool
		}
		tr.TLSClientConfig = cfg
	}
	return tr, nil
}

// rawHeader keeps the server's Content-Type for us while colly sees none
// of the charset: colly re-encodes bodies whose header names a charset,
// which corrupts binary files and misreads contradicted declarations.
const rawHeader = "X-Perenos-Content-Type"

// ErrBodyTooLarge is returned for a body over its size cap (never truncated).
var ErrBodyTooLarge = errors.New("response body exceeds the size cap")

// guardTransport caps body sizes and hides charsets from colly.
type guardTransport struct {
	next    http.RoundTripper
	maxBody int64
}

func (g *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		resp.Header.Set(rawHeader, ct)
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			resp.Header.Set("Content-Type", mt)
		}
	}
	if enc := strings.ToLower(resp.Header.Get("Content-Encoding")); !resp.Uncompressed && (enc == "gzip" || enc == "x-gzip") {
		// Decompress here, under the cap, so that a gzip bomb is cut off.
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("gzip body of %s: %w", req.URL, err)
		}
		resp.Body = &gzipBody{Reader: zr, under: resp.Body}
		resp.Header.Del("Content-Encoding")
		resp.ContentLength, resp.Uncompressed = -1, true
	}
	if g.maxBody > 0 {
		if resp.ContentLength > g.maxBody {
			resp.Body.Close()
			return nil, fmt.Errorf("%w: %d bytes declared, cap %d", ErrBodyTooLarge, resp.ContentLength, g.maxBody)
		}
		resp.Body = &capReader{rc: resp.Body, left: g.maxBody}
	}
	return resp, nil
}

// capReader fails, rather than truncates, a body longer than its cap; it
// also cuts off decompression bombs, since it reads decompressed bytes.
type capReader struct {
	rc   io.ReadCloser
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, _ := c.rc.Read(one[:]); n > 0 {
			return 0, ErrBodyTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *capReader) Close() error { return c.rc.Close() }

type gzipBody struct {
	*gzip.Reader
	under io.Closer
}

func (g *gzipBody) Close() error { g.Reader.Close(); return g.under.Close() }

func isHTML(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "" || mt == "text/html" || mt == "application/xhtml+xml" || strings.HasPrefix(mt, "text/plain")
}
