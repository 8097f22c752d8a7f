/// The buildspec of the build project, synthesized into the template (CodeBuild's
/// `Source.BuildSpec` takes the YAML itself), so the deployment repository holds nothing but
/// pipelines_config.yml and the build cannot drift from the tsdeploy that deployed it.
///
/// Every name, tag and parameter comes from tsdeploy (`build-plan`, `deploy --pipelines-dir`);
/// the shell only moves bytes: fetch and verify the binary, run docker, push.
public enum Buildspec {
    /// Variables the project sets; the buildspec reads only these and CodeBuild's own.
    public static let variables = [
        "BRANCH", "TSDEPLOY_ASSET_BUCKET", "TSDEPLOY_BINARY_KEY", "TSDEPLOY_BINARY_SHA256", "TSDEPLOY_QUALIFIER",
    ]

    public static let text = #"""
version: 0.2

env:
  shell: bash
  variables:
    TSDEPLOY_CONTEXT: /tmp/tsdeploy-images
    TSDEPLOY_BIN: /usr/local/bin/tsdeploy

phases:
  install:
    commands:
      - set -euo pipefail
      - |
        if [[ "$TSDEPLOY_BINARY_SHA256" == none ]]; then
          echo "error: this build stack was deployed without a Linux tsdeploy binary (from a development build or macOS)." >&2
          echo "  hint: run 'tsdeploy deploy $BRANCH --stack CodePipelineStack' with the packaged Linux binary, or pass --tsdeploy-binary PATH" >&2
          exit 1
        fi
      - aws s3api get-object --bucket "$TSDEPLOY_ASSET_BUCKET" --key "$TSDEPLOY_BINARY_KEY" "$TSDEPLOY_BIN" > /dev/null
      - echo "$TSDEPLOY_BINARY_SHA256  $TSDEPLOY_BIN" | sha256sum --check --strict -
      - chmod 755 "$TSDEPLOY_BIN"
      - '"$TSDEPLOY_BIN" --version'
  pre_build:
    commands:
      - set -euo pipefail
      - '"$TSDEPLOY_BIN" build-plan "$BRANCH" --config pipelines_config.yml --pipelines-dir "$CODEBUILD_SRC_DIR_PipelinesSource" --qualifier "$TSDEPLOY_QUALIFIER" --context "$TSDEPLOY_CONTEXT" --format tsv > build-plan.tsv'
      - cat build-plan.tsv
      - |
        if grep -q '^build' build-plan.tsv; then
          registry="$(cut -f4 build-plan.tsv | grep -m1 '\.dkr\.ecr\.' | cut -d/ -f1)"
          aws ecr get-login-password | docker login --username AWS --password-stdin "$registry"
        fi
  build:
    commands:
      - set -euo pipefail
      - |
        while IFS=$'\t' read -r action pipeline context image source_image; do
          case "$action" in
            base)
              docker build --provenance=false --tag "$image" "$context" ;;
            build)
              docker build --provenance=false --tag "$image" --tag "$source_image" "$context"
              docker push "$image"
              docker push "$source_image" ;;
            reuse)
              echo "$pipeline: unchanged, $source_image is in the repository" ;;
          esac
        done < build-plan.tsv
      - '"$TSDEPLOY_BIN" deploy "$BRANCH" --config pipelines_config.yml --stack PipelinesStack --pipelines-dir "$CODEBUILD_SRC_DIR_PipelinesSource" --qualifier "$TSDEPLOY_QUALIFIER" --build-stack-unchanged --no-execution-role --require-approval never'
"""#
}
