// ccgd-aws-plugin: ccgd's executable plug-in for AWS Secrets Manager (docs/aws-secrets-manager.md).
import AwsSecretsManagerPlugin
import Glibc

exit(AwsSecretsManagerPlugin.main())
