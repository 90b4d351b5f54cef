"""Every node type, as one pydantic discriminated union on `type`, and the catalog the editor
reads (GET /api/recipes/node-types): each type's group, title, description, ports and the JSON
schema of its params."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter

from lathe.recipes.base import Group, NodeBase, Params, PortKind
from lathe.recipes.nodes.columns import DropNode, RenameNode, SelectNode
from lathe.recipes.nodes.convert import ToMessagesNode
from lathe.recipes.nodes.dedupe import DedupeNode
from lathe.recipes.nodes.filter import FilterNode
from lathe.recipes.nodes.generate import GenerateNode
from lathe.recipes.nodes.judge import JudgeNode
from lathe.recipes.nodes.mix import MixNode
from lathe.recipes.nodes.output import OutputNode
from lathe.recipes.nodes.sampling import SampleNode, SplitNode
from lathe.recipes.nodes.sources import DatasetNode, InlineNode, SamplesNode
from lathe.recipes.nodes.system_prompt import SystemPromptNode
from lathe.recipes.nodes.template import TemplateNode
from lathe.recipes.nodes.token_length import TokenLengthNode

Node = Annotated[
    DatasetNode
    | SamplesNode
    | InlineNode
    | ToMessagesNode
    | TemplateNode
    | FilterNode
    | SelectNode
    | RenameNode
    | DropNode
    | SystemPromptNode
    | DedupeNode
    | TokenLengthNode
    | SampleNode
    | SplitNode
    | MixNode
    | GenerateNode
    | JudgeNode
    | OutputNode,
    Field(discriminator="type"),
]
NODE_ADAPTER: TypeAdapter[Node] = TypeAdapter(Node)

NODE_CLASSES: tuple[type[NodeBase], ...] = (
    DatasetNode,
    SamplesNode,
    InlineNode,
    ToMessagesNode,
    TemplateNode,
    FilterNode,
    SelectNode,
    RenameNode,
    DropNode,
    SystemPromptNode,
    DedupeNode,
    TokenLengthNode,
    SampleNode,
    SplitNode,
    MixNode,
    GenerateNode,
    JudgeNode,
    OutputNode,
)


def type_name(cls: type[NodeBase]) -> str:
    name: str = cls.model_fields["type"].default
    return name


def params_model(cls: type[NodeBase]) -> type[Params]:
    model: type[Params] = cls.model_fields["params"].annotation  # type: ignore[assignment]
    return model


NODE_TYPES: dict[str, type[NodeBase]] = {type_name(cls): cls for cls in NODE_CLASSES}


class PortInfo(BaseModel):
    name: str
    kinds: list[PortKind] = Field(description="Column kinds the port carries ('any': a table).")
    multiple: bool = Field(description="Whether several edges may arrive at this input.")
    required: bool = Field(description="Whether the input must be connected.")
    description: str


class NodeTypeInfo(BaseModel):
    type: str
    group: Group
    title: str
    description: str
    inputs: list[PortInfo]
    outputs: list[PortInfo]
    params_schema: dict[str, Any] = Field(description="JSON schema of the node's params.")


def node_types_catalog() -> list[NodeTypeInfo]:
    return [
        NodeTypeInfo(
            type=type_name(cls),
            group=cls.group,
            title=cls.title,
            description=cls.summary,
            inputs=[PortInfo(**port.describe()) for port in cls.inputs],
            outputs=[PortInfo(**port.describe()) for port in cls.outputs],
            params_schema=params_model(cls).model_json_schema(),
        )
        for cls in NODE_CLASSES
    ]
