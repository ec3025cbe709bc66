package iac

import (
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// The identifier syntaxes below are the services' own API patterns (name
// shape, not tuning numbers), each with the page it comes from. They are
// deliberately anchored and ASCII-only, so a name that passes can never carry
// a quote, a newline, "${", a YAML or JSON metacharacter or a shell
// metacharacter into anything we render.
var (
	// https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html (FunctionName)
	reFunctionName = newLazyRE(`^[a-zA-Z0-9_-]{1,64}$`)
	// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html (StreamName)
	reKinesisStream = newLazyRE(`^[a-zA-Z0-9_.-]{1,128}$`)
	// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html (ConsumerName)
	reKinesisConsumer = newLazyRE(`^[a-zA-Z0-9_.-]{1,128}$`)
	// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html (TableName)
	reDynamoTable = newLazyRE(`^[a-zA-Z0-9_.-]{3,255}$`)
	// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html (QueueName:
	// up to 80 alphanumerics, hyphens and underscores; a FIFO name ends in ".fifo", counted in the 80)
	reQueueStd  = newLazyRE(`^[a-zA-Z0-9_-]{1,80}$`)
	reQueueFIFO = newLazyRE(`^[a-zA-Z0-9_-]{1,75}\.fifo$`)
	// https://docs.aws.amazon.com/msk/1.0/apireference/clusters.html (clusterName: 1-64, letters, digits, hyphens)
	reMSKCluster = newLazyRE(`^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$`)
	// the UUID segment of an MSK cluster ARN, e.g. 2a3b4c5d-1234-5678-9abc-def012345678-3
	reMSKUUID = newLazyRE(`^[a-zA-Z0-9-]{1,64}$`)
	// https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html (Topics: [^.]([a-zA-Z0-9\-_.]+))
	reTopic = newLazyRE(`^[a-zA-Z0-9_-][a-zA-Z0-9._-]{0,248}$`)
	// https://docs.aws.amazon.com/lambda/latest/api/API_AmazonManagedKafkaEventSourceConfig.html
	// (ConsumerGroupId [a-zA-Z0-9-\/*:_+=.@-]*, 1-200). We drop "*": in an IAM
	// group ARN it would be a wildcard and widen the grant.
	reGroupID = newLazyRE(`^[a-zA-Z0-9/:_+=.@-]{1,200}$`)
	// CloudFormation logical IDs: alphanumeric, up to 255
	// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html
	reLogicalID = newLazyRE(`^[A-Za-z0-9]{1,255}$`)
	// Terraform identifiers: letters, digits, underscores, dashes, not starting with a digit
	// https://developer.hashicorp.com/terraform/language/syntax/configuration#identifiers
	reTFName = newLazyRE(`^[A-Za-z_][A-Za-z0-9_-]*$`)
	// host:port of a Kafka bootstrap broker (DNS name or IPv4)
	reHostPort = newLazyRE(`^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252}[a-zA-Z0-9])?:[0-9]{1,5}$`)
	reSubnet   = newLazyRE(`^subnet-[0-9a-f]{8}([0-9a-f]{9})?$`)
	reSG       = newLazyRE(`^sg-[0-9a-f]{8}([0-9a-f]{9})?$`)
	reAccount  = newLazyRE(`^[0-9]{12}$`)
	// Region codes: us-east-1, us-gov-west-1, cn-north-1, eu-central-2, ap-southeast-5, us-isob-east-1
	reRegion = newLazyRE(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)
	// https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html (KeyId: a key ID
	// such as 1234abcd-12ab-34cd-56ef-1234567890ab or a multi-Region mrk-… ID). Only key ARNs:
	// an alias ARN in a policy's Resource does not authorize use of the key it points at.
	reKMSKey = newLazyRE(`^key/(mrk-)?[a-zA-Z0-9-]{1,64}$`)
	// https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html (Name: 1-256 letters,
	// digits, hyphens, underscores; a FIFO topic ends in ".fifo")
	reSNSTopic = newLazyRE(`^[a-zA-Z0-9_-]{1,256}(\.fifo)?$`)
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (3-63
	// lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit)
	reS3Bucket = newLazyRE(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// a DynamoDB stream label is the stream's creation time, e.g. 2024-01-01T00:00:00.000
	// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_StreamSpecification.html
	reStreamLabel = newLazyRE(`^[0-9A-Za-z:._-]{1,64}$`)
)

// requireRegional checks that a parsed ARN carries a Region and an account:
// every event source, key, queue and topic ARN does, and one without them
// would render a policy Resource that matches nothing.
func requireRegional(a ARN, s string) error {
	if a.Region == "" || a.AccountID == "" {
		return invalidf("ARN %s has no Region or account (arn:partition:service:REGION:ACCOUNT:resource)", quoteForError(s))
	}
	return nil
}

// ValidateKMSKeyARN checks a KMS key ARN (arn:…:kms:REGION:ACCOUNT:key/ID).
func ValidateKMSKeyARN(s string) error {
	a, err := ParseARN(s, "kms")
	if err != nil {
		return err
	}
	if err := requireRegional(a, s); err != nil {
		return err
	}
	if !reKMSKey.MatchString(a.Resource) {
		return invalidf("KMS ARN %s is not a key ARN (key/KEY_ID); an alias ARN does not scope kms:Decrypt", quoteForError(s))
	}
	return nil
}

// Partitions we know, and the Region prefixes each owns.
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	default:
		return "aws"
	}
}

// ValidateRegion checks a Region code's shape.
func ValidateRegion(region string) error {
	if !reRegion.MatchString(region) {
		return invalidf("region %s is not a Region code such as us-east-1, us-gov-west-1 or cn-north-1", quoteForError(region))
	}
	return nil
}

// PartitionForRegion returns the partition (aws, aws-cn, aws-us-gov, ...) a
// valid Region belongs to.
func PartitionForRegion(region string) (string, error) {
	if err := ValidateRegion(region); err != nil {
		return "", err
	}
	return partitionOf(region), nil
}

func validPartition(p string) bool {
	switch p {
	case "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f":
		return true
	}
	return false
}

// ARN is a parsed, validated ARN.
type ARN struct {
	arn.ARN
}

// ParseARN parses s and checks that the partition is known, the Region
// belongs to that partition, the account is 12 digits (when present) and the
// service is want (when want is not empty). Only printable ASCII without
// quotes, whitespace or "$" is accepted anywhere in it, and no IAM wildcard
// ("*" or "?"): every ARN a caller gives names one resource, and generated
// policies put it in a Resource element, where a wildcard would silently
// widen a least-privilege grant (kms:Decrypt on every key, sns:Publish on
// every topic).
func ParseARN(s, want string) (ARN, error) {
	if !safeText(s) || strings.ContainsAny(s, "\"'`$\\{}<>|;&") {
		return ARN{}, invalidf("ARN %s contains characters no ARN has", quoteForError(s))
	}
	if strings.ContainsAny(s, "*?") {
		return ARN{}, invalidf("ARN %s contains an IAM wildcard (* or ?); give the ARN of one resource", quoteForError(s))
	}
	a, err := arn.Parse(s)
	if err != nil {
		return ARN{}, invalidf("%s is not an ARN (arn:partition:service:region:account:resource)", quoteForError(s))
	}
	if !validPartition(a.Partition) {
		return ARN{}, invalidf("ARN %s: partition %q is not aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e or aws-iso-f", quoteForError(s), a.Partition)
	}
	if want != "" && a.Service != want {
		return ARN{}, invalidf("ARN %s is a %s ARN; expected a %s ARN", quoteForError(s), a.Service, want)
	}
	if a.Region != "" {
		if err := ValidateRegion(a.Region); err != nil {
			return ARN{}, err
		}
		if p := partitionOf(a.Region); p != a.Partition {
			return ARN{}, invalidf("ARN %s: Region %s belongs to partition %s, not %s", quoteForError(s), a.Region, p, a.Partition)
		}
	}
	if a.AccountID != "" && !reAccount.MatchString(a.AccountID) {
		return ARN{}, invalidf("ARN %s: account %q is not 12 digits", quoteForError(s), a.AccountID)
	}
	return ARN{a}, nil
}

// safeText reports whether s is non-empty printable ASCII without control
// characters or whitespace.
func safeText(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// quoteForError renders untrusted input for an error message: Go-quoted and
// cut, so a hostile value cannot forge lines in logs or output.
func quoteForError(s string) string {
	const max = 80
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strconvQuote(s)
}

func matchName(kind, v string, re *lazyRE, rule string) error {
	if !re.MatchString(v) {
		return invalidf("%s %s is not valid: %s", kind, quoteForError(v), rule)
	}
	return nil
}

// ValidateFunctionName accepts a function name (1-64 of letters, digits, -
// and _), or a function ARN, optionally with a version or alias qualifier.
func ValidateFunctionName(v string) error {
	if strings.HasPrefix(v, "arn:") {
		a, err := ParseARN(v, "lambda")
		if err != nil {
			return err
		}
		parts := strings.Split(a.Resource, ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] != "function" || !reFunctionName.MatchString(parts[1]) {
			return invalidf("function ARN %s: resource must be function:NAME[:QUALIFIER]", quoteForError(v))
		}
		if len(parts) == 3 && parts[2] != "$LATEST" && !reFunctionName.MatchString(parts[2]) {
			return invalidf("function ARN %s: qualifier %q is not a version or alias", quoteForError(v), parts[2])
		}
		return nil
	}
	return matchName("function_name", v, reFunctionName, "1-64 letters, digits, hyphens or underscores, or a function ARN")
}

// ValidateTopic checks a Kafka topic name as Lambda accepts it.
func ValidateTopic(v string) error {
	if v == "." || v == ".." {
		return invalidf("topic %q is reserved", v)
	}
	return matchName("topic", v, reTopic, "1-249 letters, digits, '.', '_' or '-', not starting with '.'")
}

// ValidateConsumerGroupID checks a Kafka consumer group ID for an ESM.
func ValidateConsumerGroupID(v string) error {
	return matchName("consumer group ID", v, reGroupID, "1-200 of letters, digits and / : _ + = . @ - (no '*', which IAM would read as a wildcard)")
}

// ValidateQueueName checks an SQS queue name; fifo says whether it must be
// (and may only then be) a FIFO name ending in ".fifo".
func ValidateQueueName(v string, fifo bool) error {
	if fifo {
		return matchName("FIFO queue name", v, reQueueFIFO, "1-75 letters, digits, hyphens or underscores followed by .fifo (80 in total)")
	}
	if strings.HasSuffix(v, ".fifo") {
		return invalidf("queue name %s ends in .fifo: use event_source sqs_fifo for a FIFO queue", quoteForError(v))
	}
	return matchName("queue name", v, reQueueStd, "1-80 letters, digits, hyphens or underscores")
}

// ValidateLogicalID checks a CloudFormation logical ID.
func ValidateLogicalID(v string) error {
	return matchName("logical ID", v, reLogicalID, "letters and digits only")
}

// ValidateSubnetID checks a subnet ID (subnet-xxxxxxxx).
func ValidateSubnetID(v string) error { return validateSubnet(v) }

// ValidateSecurityGroupID checks a security group ID (sg-xxxxxxxx).
func ValidateSecurityGroupID(v string) error { return validateSG(v) }

// ValidateBootstrapServer checks one host:port bootstrap server.
func ValidateBootstrapServer(v string) error { return validateHostPort(v) }

// ValidateAccount checks a 12-digit account ID.
func ValidateAccount(v string) error {
	if !reAccount.MatchString(v) {
		return invalidf("account %s is not 12 digits", quoteForError(v))
	}
	return nil
}

func validateSubnet(v string) error {
	return matchName("subnet ID", v, reSubnet, "subnet- followed by 8 or 17 hex digits")
}

func validateSG(v string) error {
	return matchName("security group ID", v, reSG, "sg- followed by 8 or 17 hex digits")
}

func validateHostPort(v string) error {
	return matchName("bootstrap server", v, reHostPort, "host:port, e.g. b-1.example.com:9096")
}

func regexpMust(s string) *lazyRE { return newLazyRE(s) }

// lazyRE compiles its pattern on first use. Compiling every validation
// pattern (several with large counted repetitions) at package init cost about
// 4 ms of every process start, including the ones that never render IaC.
type lazyRE struct{ re func() *regexp.Regexp }

func newLazyRE(pattern string) *lazyRE {
	return &lazyRE{re: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })}
}

// MatchString reports whether s matches the pattern.
func (l *lazyRE) MatchString(s string) bool { return l.re().MatchString(s) }
