import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import {
  createProjectSchema,
  projectListSchema,
  projectSchema,
  type Project,
  type ProjectList,
} from '@equilab/contracts';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { ProjectsService } from './projects.service';
import { ApiDoc } from '../openapi/api-doc.decorator';

@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @ApiDoc({ summary: 'Create a project', body: createProjectSchema, response: projectSchema })
  @Post()
  create(@Body() body: unknown): Promise<Project> {
    return this.projects.create(parseInput(createProjectSchema, body));
  }

  @ApiDoc({ summary: 'List projects', response: projectListSchema })
  @Get()
  async list(): Promise<ProjectList> {
    return { items: await this.projects.list() };
  }

  @ApiDoc({ summary: 'Get a project', response: projectSchema })
  @Get(':id')
  get(@Param('id') id: string): Promise<Project> {
    return this.projects.get(parseId(id));
  }
}
