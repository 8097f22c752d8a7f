#!/usr/bin/env python3
"""Writes a pipelines_config.yml of N pipelines x S sites (S3-triggered ingests), for the
scale benchmarks: benchmarks/gen_config.py N S > FILE."""
import sys

n, sites = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5
print("""github_org: my-org
pipelines_repo_name: pipeline-template
aws_repo_name: aws-template
account_id: "123456789012"
region: us-west-2
input_bucket_name: my-org-tsdat-input
output_bucket_name: my-org-tsdat-output
create_buckets: true
github_codestar_arn: arn:aws:codestar-connections:us-west-2:123456789012:connection/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
pipelines:""")
for p in range(n):
    print(f"  - name: pipeline_{p:04d}\n    type: Ingest\n    trigger: S3\n    configs:")
    for s in range(sites):
        print(f"      site_{s:02d}: {{input_bucket_path: pipeline_{p:04d}/site_{s:02d}/, config_file_path: pipelines/pipeline_{p:04d}/config/site_{s:02d}.yaml}}")
