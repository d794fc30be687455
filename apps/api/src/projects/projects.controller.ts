import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { createProjectSchema, type Project, type ProjectList } from '@equilab/contracts';
import { parseInput } from '../common/app-error';
import { parseId } from '../common/params';
import { ProjectsService } from './projects.service';

@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  create(@Body() body: unknown): Promise<Project> {
    return this.projects.create(parseInput(createProjectSchema, body));
  }

  @Get()
  async list(): Promise<ProjectList> {
    return { items: await this.projects.list() };
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<Project> {
    return this.projects.get(parseId(id));
  }
}
