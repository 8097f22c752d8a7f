#!/usr/bin/env python3
"""moto_server plus the CloudFormation feature moto 5.2 lacks: change sets of type IMPORT.

moto treats an IMPORT change set as a CREATE: it ignores ResourcesToImport, makes a second
stack of the same name and tries to create the resources (a bucket that exists fails). This
shim adds IMPORT as AWS documents it ("Bringing existing resources into CloudFormation
management"), including the checks AWS makes, so tests see AWS's answers:
- every resource to import is in the template, with a DeletionPolicy;
- the resource exists (bucket, repository, log group) and is in no stack;
- the template holds nothing else but the stack's current resources;
- executing adopts the existing resource (nothing is created), the stack ends IMPORT_COMPLETE.
And one moto bug fixed, since the reference's CDK stack trips it: UsePreviousValue on an
`AWS::SSM::Parameter::Value<…>` parameter (CDK's BootstrapVersion) hands moto the resolved
value, which it then looks up again as a parameter name and crashes; AWS keeps the name.
And after executing any other change set, moto keeps the stack's old outputs and parameters
(only CreateStack/UpdateStack refresh them), and fails when the new template drops a
parameter; the shim refreshes both and drops the parameter, as AWS does, so a
consumer stack can read a producer's outputs (Tests/DeployEngineTests, TSDEPLOY_MOTO_CFN_ENDPOINT).
Everything else is moto's own. Usage: moto_with_import.py -H 127.0.0.1 -p PORT
"""
import json
import sys

from moto.cloudformation import models, responses
from moto.cloudformation.exceptions import ValidationError
from moto.core.responses import ActionResult

IMPORTS: dict = {}


def _existing(account, region, kind, name):
    if kind == "AWS::S3::Bucket":
        from moto.s3.models import s3_backends
        return s3_backends[account]["aws"].buckets.get(name)
    if kind == "AWS::ECR::Repository":
        from moto.ecr.models import ecr_backends
        return ecr_backends[account][region].repositories.get(name)
    if kind == "AWS::Logs::LogGroup":
        from moto.logs.models import logs_backends
        return logs_backends[account][region].groups.get(name)
    raise ValidationError(message=f"ResourceType {kind} is not supported for import by this emulator shim")


def _held_by_a_stack(backend, kind, name):
    for stack in backend.stacks.values():
        for r in stack.stack_resources:
            if getattr(r, "cf_resource_type", "") == kind and getattr(r, "physical_resource_id", None) == name:
                return stack.name
    return None


def create_change_set(self):
    if self._get_param("ChangeSetType") != "IMPORT":
        return ORIGINAL_CREATE(self)
    backend = self.cloudformation_backend
    stack_name = self._get_param("StackName")
    body = self._get_param("TemplateBody")
    if self._get_param("TemplateURL"):
        body = self._get_stack_from_s3_url(self._get_param("TemplateURL"))
    template = json.loads(body)
    imports = self._get_param("ResourcesToImport", [])
    tags = {item["Key"]: item["Value"] for item in self._get_param("Tags", [])}
    resources = template.get("Resources", {})
    stack = next((s for s in backend.stacks.values() if s.name == stack_name and s.status != "REVIEW_IN_PROGRESS"), None)
    current = set(stack.template_dict.get("Resources", {})) if stack else set()
    wanted = set()
    for imp in imports:
        logical, kind = imp["LogicalResourceId"], imp["ResourceType"]
        identifier = imp.get("ResourceIdentifier", {})
        if isinstance(identifier, list):
            identifier = {e["key"]: e["value"] for e in identifier}
        r = resources.get(logical)
        if r is None or r.get("Type") != kind:
            raise ValidationError(message=f"Resource {logical} of type {kind} to import is not in the template")
        if "DeletionPolicy" not in r:
            raise ValidationError(message=f"Resource {logical} to import must have a DeletionPolicy attribute")
        name = next(iter(identifier.values()), None)
        if _existing(backend.account_id, backend.region_name, kind, name) is None:
            raise ValidationError(message=f"Resource {name} of type {kind} does not exist")
        holder = _held_by_a_stack(backend, kind, name)
        if holder:
            raise ValidationError(message=f"Resource {name} already exists in stack {holder}")
        wanted.add(logical)
        imp["_name"] = name
    extra = set(resources) - current - wanted
    if extra:
        raise ValidationError(message=f"You have modified resources {sorted(extra)} in your template that are not being imported")
    if stack is None:
        stack = models.Stack(stack_id=models.generate_stack_id(stack_name, backend.region_name, backend.account_id), name=stack_name,
                             template={}, parameters={}, account_id=backend.account_id, region_name=backend.region_name, tags=tags)
        stack.status = "REVIEW_IN_PROGRESS"
        backend.stacks[stack.stack_id] = stack
    change_set_id = models.generate_changeset_id(self._get_param("ChangeSetName"), backend.region_name, backend.account_id)
    change_set = models.ChangeSet(change_set_type="IMPORT", change_set_id=change_set_id, change_set_name=self._get_param("ChangeSetName"),
                                  stack=stack, template=body, parameters={}, description=self._get_param("Description"), tags=tags)
    change_set.changes = [models.Change(action="Import", logical_resource_id=i["LogicalResourceId"], resource_type=i["ResourceType"]) for i in imports]
    change_set.status, change_set.execution_status = "CREATE_COMPLETE", "AVAILABLE"
    backend.change_sets[change_set_id] = change_set
    IMPORTS[change_set_id] = imports
    return ActionResult({"Id": change_set_id, "StackId": stack.stack_id})


def execute_change_set(self, change_set_name, stack_name=None):
    change_set = self.change_sets.get(change_set_name) or next(
        (c for c in self.change_sets.values() if c.change_set_name == change_set_name), None)
    if change_set is None or change_set.change_set_type != "IMPORT":
        if change_set is not None and change_set.change_set_type == "UPDATE":
            # moto keeps a parameter the new template dropped and then fails looking it up.
            resource_map = self.stacks[change_set.stack_id].resource_map
            declared = change_set.template_dict.get("Parameters", {})
            resource_map.input_parameters = dict(change_set.parameters or {})
            for name in [n for n in resource_map.resolved_parameters if n not in declared]:
                del resource_map.resolved_parameters[name]
        ORIGINAL_EXECUTE(self, change_set_name, stack_name)
        if change_set is not None:
            stack = self.stacks[change_set.stack_id]
            stack.template_dict = change_set.template_dict
            stack.parameters = dict(change_set.parameters or {})
            stack.output_map = stack._create_output_map()
        return None
    stack = self.stacks[change_set.stack_id]
    template = json.loads(change_set.template)
    stack._add_stack_event("IMPORT_IN_PROGRESS", resource_status_reason="User Initiated")
    for imp in IMPORTS.pop(change_set.change_set_id):
        resource = _existing(self.account_id, self.region_name, imp["ResourceType"], imp["_name"])
        resource.cf_resource_type = imp["ResourceType"]
        resource.logical_resource_id = imp["LogicalResourceId"]
        stack.resource_map._parsed_resources[imp["LogicalResourceId"]] = resource
    stack.template = change_set.template
    stack.template_dict = template
    stack.resource_map._template = template
    stack.resource_map._resource_json_map = template["Resources"]
    if change_set.tags:
        stack.tags = change_set.tags
    stack.status = "IMPORT_COMPLETE"
    stack._add_stack_event("IMPORT_COMPLETE")
    change_set.execution_status = "EXECUTE_COMPLETE"


def parse_ssm_parameter(self, value, value_type):
    from moto.ssm.models import ssm_backends
    if ssm_backends[self._account_id][self._region_name].get_parameter(value) is None and not str(value).startswith("/"):
        return value  # already resolved (UsePreviousValue)
    return ORIGINAL_PARSE_SSM(self, value, value_type)


ORIGINAL_PARSE_SSM = __import__("moto.cloudformation.parsing", fromlist=["ResourceMap"]).ResourceMap.parse_ssm_parameter
__import__("moto.cloudformation.parsing", fromlist=["ResourceMap"]).ResourceMap.parse_ssm_parameter = parse_ssm_parameter
ORIGINAL_CREATE = responses.CloudFormationResponse.create_change_set
ORIGINAL_EXECUTE = models.CloudFormationBackend.execute_change_set
responses.CloudFormationResponse.create_change_set = create_change_set
models.CloudFormationBackend.execute_change_set = execute_change_set

if __name__ == "__main__":
    from moto.server import main
    main(sys.argv[1:])
