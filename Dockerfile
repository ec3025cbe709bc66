# stream-mcp for a team: one static binary, no shell, non-root.
#   docker build -t stream-mcp .
#   docker run -p 8080:8080 -v $PWD/tokens:/run/secrets/stream-mcp-tokens:ro stream-mcp
# The test cmd/stream-mcp/dockerfile_test.go builds the binary with exactly
# the flags of the build stage below and runs it (docker itself is not
# available to the test suite).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/stream-mcp ./cmd/stream-mcp

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/stream-mcp /stream-mcp
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/stream-mcp"]
# Authentication is required beyond loopback: mount a token file (lines
# "TOKEN read|write", mode 0600) or pass --auth-issuer/--auth-audience.
CMD ["serve", "--http", "0.0.0.0:8080", "--auth-tokens-file", "/run/secrets/stream-mcp-tokens"]
