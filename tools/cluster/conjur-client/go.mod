// Builds CyberArk's own authn-k8s sidecar, unchanged, for the cluster tier:
// podid must work with the real client. Its go.mod replaces the tracer module
// with an unreachable `latest`, so this module pins a released tracer instead.
// v0.26.1 is the newest tag whose go.mod asks for go 1.19 (its dependencies
// lift this module to 1.22, which the machine's Go builds).
module podid.local/conjur-client

go 1.22

require github.com/cyberark/conjur-authn-k8s-client v0.26.1

require (
	github.com/cenkalti/backoff v2.2.1+incompatible // indirect
	github.com/cyberark/conjur-opentelemetry-tracer v1.55.55 // indirect
	github.com/fullsailor/pkcs7 v0.0.0-20190404230743-d7302db945fa // indirect
	github.com/go-logr/logr v1.2.3 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	go.opentelemetry.io/otel v1.7.0 // indirect
	go.opentelemetry.io/otel/exporters/jaeger v1.7.0 // indirect
	go.opentelemetry.io/otel/exporters/stdout/stdouttrace v1.7.0 // indirect
	go.opentelemetry.io/otel/sdk v1.7.0 // indirect
	go.opentelemetry.io/otel/trace v1.7.0 // indirect
	golang.org/x/sys v0.8.0 // indirect
)

replace github.com/cyberark/conjur-opentelemetry-tracer => github.com/cyberark/conjur-opentelemetry-tracer v0.0.2
