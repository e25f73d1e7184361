package portal

import _ "embed"

// OpenAPI is the import API contract, an OpenAPI 3.1 document. The
// reference server and the uploader's client are both tested against it.
//
//go:embed openapi.yaml
var OpenAPI []byte
