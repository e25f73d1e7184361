package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"slices"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned when a site resolves to an internal address.
var ErrForbiddenAddress = errors.New("refusing to connect to an internal address (use --allow-private to allow)")

// special is one range of the IANA IPv4 and IPv6 Special-Purpose Address
// Registries (RFC 6890 and its updates), plus the multicast and the
// deprecated site-local space: none of them is a public web server.
type special struct {
	prefix netip.Prefix
	name   string
	// embedded: the address carries an IPv4 address in its last 32 bits
	// that a gateway would reach; it is refused when that one is.
	embedded bool
}

func mustSpecial(p, name string, embedded bool) special {
	return special{netip.MustParsePrefix(p), name, embedded}
}

// specials are the ranges refused, IPv4 first.
var specials = []special{
	mustSpecial("0.0.0.0/8", "this network", false),
	mustSpecial("10.0.0.0/8", "private use", false),
	mustSpecial("100.64.0.0/10", "shared address space (CGNAT)", false),
	mustSpecial("127.0.0.0/8", "loopback", false),
	mustSpecial("169.254.0.0/16", "link local", false),
	mustSpecial("172.16.0.0/12", "private use", false),
	mustSpecial("192.0.0.0/24", "IETF protocol assignments", false),
	mustSpecial("192.0.2.0/24", "documentation (TEST-NET-1)", false),
	mustSpecial("192.31.196.0/24", "AS112-v4", false),
	mustSpecial("192.52.193.0/24", "AMT", false),
	mustSpecial("192.88.99.0/24", "deprecated 6to4 relay anycast", false),
	mustSpecial("192.168.0.0/16", "private use", false),
	mustSpecial("192.175.48.0/24", "direct delegation AS112 service", false),
	mustSpecial("198.18.0.0/15", "benchmarking", false),
	mustSpecial("198.51.100.0/24", "documentation (TEST-NET-2)", false),
	mustSpecial("203.0.113.0/24", "documentation (TEST-NET-3)", false),
	mustSpecial("224.0.0.0/4", "multicast", false),
	mustSpecial("240.0.0.0/4", "reserved", false),
	mustSpecial("255.255.255.255/32", "limited broadcast", false),

	mustSpecial("::/128", "unspecified", false),
	mustSpecial("::1/128", "loopback", false),
	mustSpecial("::ffff:0:0/96", "IPv4-mapped", true),
	mustSpecial("::/96", "IPv4-compatible (deprecated)", false),
	mustSpecial("64:ff9b::/96", "IPv4-IPv6 translation (NAT64)", true),
	mustSpecial("64:ff9b:1::/48", "local-use IPv4-IPv6 translation", false),
	mustSpecial("100::/64", "discard-only", false),
	mustSpecial("100:0:0:1::/64", "dummy IPv6 prefix", false),
	mustSpecial("2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID)", false),
	mustSpecial("2001:db8::/32", "documentation", false),
	mustSpecial("2002::/16", "6to4", false),
	mustSpecial("2620:4f:8000::/48", "direct delegation AS112 service", false),
	mustSpecial("3fff::/20", "documentation", false),
	mustSpecial("5f00::/16", "segment routing (SRv6) SIDs", false),
	mustSpecial("fc00::/7", "unique local", false),
	mustSpecial("fe80::/10", "link local", false),
	mustSpecial("fec0::/10", "site local (deprecated)", false),
	mustSpecial("ff00::/8", "multicast", false),
}

// forbidden says whether ip may not be dialled, and why: it lies in a
// special-purpose range, or embeds an IPv4 address that does.
func forbidden(ip netip.Addr) (bool, string) {
	if !ip.IsValid() {
		return true, "not an address"
	}
	ip = ip.WithZone("")
	for _, s := range specials {
		if !s.prefix.Contains(ip) {
			continue
		}
		if !s.embedded {
			return true, s.name
		}
		b := ip.As16()
		v4 := netip.AddrFrom4([4]byte(b[12:]))
		if bad, why := forbidden(v4); bad {
			return true, s.name + " of " + v4.String() + " (" + why + ")"
		}
		return false, ""
	}
	return false, ""
}

// checkAddress is the dialer's control: it runs after DNS and before
// connect(), for every connection (redirects included).
func checkAddress(o NetOptions, address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
	}
	if bad, why := forbidden(ap.Addr()); bad && !slices.Contains(o.Allow, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())) {
		return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, address, why)
	}
	return nil
}

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
		d.Control = func(network, address string, _ syscall.RawConn) error { return checkAddress(o, address) }
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
		// Bodies are decompressed by guardTransport, under the ratio
		// bound; the transport's own gzip would inflate unchecked.
		DisableCompression: true,
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

// NewClient is an HTTP client for fetches outside a crawl (checking a
// redirect map after the domain switch): the same address guard at connect
// time, the same TLS settings, and redirects not followed, so the caller
// sees each answer as it is.
func NewClient(o NetOptions) (*http.Client, error) {
	tr, err := newTransport(o, 2)
	if err != nil {
		return nil, err
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	return &http.Client{Transport: tr, Timeout: 2 * timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, nil
}
